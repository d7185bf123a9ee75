import { validate } from 'class-validator';
import { TextLength } from './text-length.decorator';

class Named {
  @TextLength(1, 5)
  name: unknown;
}

async function problems(name: unknown): Promise<string[]> {
  const dto = Object.assign(new Named(), { name });
  const errors = await validate(dto);
  return errors.flatMap((error) => Object.keys(error.constraints ?? {}));
}

describe('TextLength', () => {
  it.each([
    ['ASCII at the limit', 'abcde'],
    ['five 4-byte emoji', '😀😀😀😀😀'],
    ['a ZWJ family of 5 code points', '👨‍👩‍👧'],
    ['NUL and controls', '\u0000\u0001'],
  ])('accepts %s', async (_label, name) => {
    expect(await problems(name)).toEqual([]);
  });

  it.each([
    ['an empty string', '', 'textLength'],
    ['six code points', 'abcdef', 'textLength'],
    ['three hearts with variation selectors (6 code points)', '❤️❤️❤️', 'textLength'],
    ['a lone high surrogate', 'a\uD83D', 'wellFormedText'],
    ['a lone low surrogate', '\uDE00', 'wellFormedText'],
    ['a reversed pair', '\uDE00\uD83D', 'wellFormedText'],
  ])('refuses %s', async (_label, name, constraint) => {
    expect(await problems(name)).toContain(constraint);
  });

  it('leaves non-strings to @IsString', async () => {
    expect(await problems(42)).toEqual([]);
  });
});
