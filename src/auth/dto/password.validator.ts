import { applyDecorators } from '@nestjs/common';
import { IsString, ValidateBy } from 'class-validator';
import { PASSWORD_TOO_LONG } from '../../common/pipes/validation';

/** bcrypt reads only the first 72 bytes; longer passwords are refused, never truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_BYTES = 8;

const bytes = (value: unknown) =>
  typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;

const MaxPasswordBytes = () =>
  ValidateBy({
    name: PASSWORD_TOO_LONG,
    validator: {
      validate: (value) => typeof value !== 'string' || bytes(value) <= PASSWORD_MAX_BYTES,
      defaultMessage: (args) =>
        `${args?.property} must be at most ${PASSWORD_MAX_BYTES} UTF-8 bytes`,
    },
  });

const MinPasswordBytes = () =>
  ValidateBy({
    name: 'minPasswordBytes',
    validator: {
      validate: (value) => typeof value !== 'string' || bytes(value) >= PASSWORD_MIN_BYTES,
      defaultMessage: (args) =>
        `${args?.property} must be at least ${PASSWORD_MIN_BYTES} UTF-8 bytes`,
    },
  });

/**
 * C bcrypt implementations (and most other libraries) end the key at the first NUL byte, so
 * "secret\0anything" would match "secret" there: a hash stored today must keep meaning the
 * whole password if it is ever verified elsewhere. New passwords may not contain one.
 */
const NoNulCharacter = () =>
  ValidateBy({
    name: 'noNulCharacter',
    validator: {
      validate: (value) => typeof value !== 'string' || !value.includes('\u0000'),
      defaultMessage: (args) => `${args?.property} must not contain a NUL character`,
    },
  });

/** A new password: a string of 8 to 72 UTF-8 bytes, without NUL. */
export const IsNewPassword = () =>
  applyDecorators(IsString(), MinPasswordBytes(), MaxPasswordBytes(), NoNulCharacter());

/**
 * A password to check (login, current password): a string of at most 72 UTF-8 bytes. The
 * policy for new passwords (minimum length, no NUL) is not applied here: such a password goes
 * through the same bcrypt comparison and, being nobody's password, gets the same 401/403 as
 * any wrong one (an account whose password predates the rule can still log in).
 */
export const IsPresentedPassword = () => applyDecorators(IsString(), MaxPasswordBytes());
