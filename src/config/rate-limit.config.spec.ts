import { expectConfigError } from '../../test/utils/config-error';
import { validateEnvironment } from './index';
import { loadRateLimitConfig } from './rate-limit.config';

describe('rate-limit configuration', () => {
  it('defaults to 10 attempts per 60 s, counted in memory', () => {
    expect(loadRateLimitConfig({})).toEqual({ limit: 10, windowMs: 60_000 });
  });

  it.each([
    ['10/60s', 10, 60_000],
    ['5/15m', 5, 900_000],
    ['1/1s', 1, 1000],
    ['100/1h', 100, 3_600_000],
    ['3/90', 3, 90_000],
    [' 20 / 1d ', 20, 86_400_000],
  ])('reads AUTH_RATE_LIMIT=%p', (raw, limit, windowMs) => {
    expect(loadRateLimitConfig({ AUTH_RATE_LIMIT: raw })).toEqual({ limit, windowMs });
  });

  it.each([
    '10',
    '0/60s',
    '-1/60s',
    '1.5/60s',
    'ten/60s',
    '10/0s',
    '10/0',
    '10/soon',
    '10/60x',
    '10/2d',
    '10/60s/1',
    '/60s',
  ])('refuses AUTH_RATE_LIMIT=%p with one line naming it and the value', (raw) => {
    const error = expectConfigError(
      () => loadRateLimitConfig({ AUTH_RATE_LIMIT: raw }),
      'AUTH_RATE_LIMIT',
    );
    expect(error.message).toContain(`"${raw}"`);
  });

  it.each([
    'redis://127.0.0.1:6379',
    'redis://redis',
    'redis://:secret@cache.internal:6380/2',
    'rediss://user:secret@cache.example.com:6379/0',
  ])('accepts REDIS_URL=%p', (url) => {
    expect(loadRateLimitConfig({ REDIS_URL: url }).redisUrl).toBe(url);
  });

  it.each([
    'localhost:6379',
    'http://redis:6379',
    'redis://',
    'redis://host:6379/db',
    'redis://host:99999',
  ])('refuses REDIS_URL=%p with one line naming it', (url) => {
    expectConfigError(() => loadRateLimitConfig({ REDIS_URL: url }), 'REDIS_URL');
  });

  it('is checked with the rest of the environment at start (main.ts prints the one line)', () => {
    const saved = process.env;
    process.env = {
      JWT_ACCESS_SECRET: 'rate-limit-spec-access-secret-0123456789-abc',
      JWT_REFRESH_SECRET: 'rate-limit-spec-refresh-secret-0123456789-abc',
      DATABASE_URL: 'sqlite::memory:',
      AUTH_RATE_LIMIT: '0/60s',
    };
    try {
      expectConfigError(() => validateEnvironment(), 'AUTH_RATE_LIMIT');
      process.env.AUTH_RATE_LIMIT = '5/15m';
      process.env.REDIS_URL = 'redis:/no-host';
      expectConfigError(() => validateEnvironment(), 'REDIS_URL');
      process.env.REDIS_URL = 'redis://127.0.0.1:6379';
      expect(() => validateEnvironment()).not.toThrow();
    } finally {
      process.env = saved;
    }
  });
});
