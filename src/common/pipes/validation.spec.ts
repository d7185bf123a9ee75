import { MAX_BODY_DEPTH, structureException } from './validation';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('structureException', () => {
  it('passes an ordinary body', () => {
    expect(structureException({ email: 'a@b.c', roles: ['user'], x: { y: [1] } })).toBeNull();
  });

  it(`passes ${MAX_BODY_DEPTH} levels and refuses one more, arrays counted too`, () => {
    expect(structureException(nested(MAX_BODY_DEPTH) as object)).toBeNull();
    expect(structureException(nested(MAX_BODY_DEPTH + 1) as object)?.details).toEqual([
      `body must not nest more than ${MAX_BODY_DEPTH} levels deep`,
    ]);
    let array: unknown = 1;
    for (let i = 0; i <= MAX_BODY_DEPTH; i++) array = [array];
    expect(structureException(array as object)).not.toBeNull();
  });

  it('refuses 100,000 levels without overflowing the stack', () => {
    expect(structureException(nested(100_000) as object)).not.toBeNull();
  });

  it.each(['constructor', 'prototype', 'toString', 'hasOwnProperty', '__proto__'])(
    'names a top-level %s key',
    (key) => {
      const body = JSON.parse(`{"name":"x","${key}":{"roles":["admin"]}}`) as object;
      expect(structureException(body)?.details).toEqual([`property ${key} should not exist`]);
    },
  );
});
