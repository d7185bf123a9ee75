import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
    ['900', 900],
    ['0', 0],
    [' 5M ', 300],
  ])('parses %p as %p seconds', (raw, expected) => {
    expect(parseDuration(raw)).toBe(expected);
  });

  it.each(['', 'abc', '15 minutes', '1.5h', '-5s', '10w', 's', '15mm'])('rejects %p', (raw) => {
    expect(parseDuration(raw)).toBeNull();
  });
});
