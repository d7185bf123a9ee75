import { applyDecorators } from '@nestjs/common';
import { ValidateBy } from 'class-validator';

/** An unpaired UTF-16 surrogate (with the `u` flag a well-formed pair is one astral code point). */
const LONE_SURROGATE = /\p{Cs}/u;

const codePoints = (value: string) => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

/**
 * A string of `min` to `max` characters, counted in Unicode code points as MySQL's
 * VARCHAR(n) counts them. class-validator's `@Length` does not count variation selectors
 * (U+FE0F), so 60 "❤️" (120 code points) passed a 100-character rule and failed the insert
 * with a 500 on MariaDB. Unpaired surrogates are refused too: they are not text, and a
 * database would store them as U+FFFD, so the value could never come back verbatim.
 */
export const TextLength = (min: number, max: number) =>
  applyDecorators(
    ValidateBy({
      name: 'wellFormedText',
      validator: {
        validate: (value) => typeof value !== 'string' || !LONE_SURROGATE.test(value),
        defaultMessage: (args) =>
          `${args?.property} must be well-formed Unicode text (no unpaired surrogates)`,
      },
    }),
    ValidateBy({
      name: 'textLength',
      constraints: [min, max],
      validator: {
        validate: (value) => {
          if (typeof value !== 'string') return true;
          const length = codePoints(value);
          return length >= min && length <= max;
        },
        defaultMessage: (args) => `${args?.property} must be ${min} to ${max} characters long`,
      },
    }),
  );

/** A line break: CR, LF, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR. */
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;

/**
 * One line of text: no line breaks. A name may end up in a mail header or a log line, where a
 * CR/LF could start a new header or forge a line. (Other control characters are kept verbatim,
 * as they always were: they break neither.)
 */
export const SingleLine = () =>
  ValidateBy({
    name: 'singleLine',
    validator: {
      validate: (value) => typeof value !== 'string' || !LINE_BREAK.test(value),
      defaultMessage: (args) => `${args?.property} must be one line of text (no CR or LF)`,
    },
  });
