import { registerAs } from '@nestjs/config';
import { ConfigError } from './config-error';
import { parseDuration } from './duration';
import { RawEnv, readOptional } from './env';

export interface RateLimitConfig {
  /** N of `AUTH_RATE_LIMIT=N/window`: attempts per window for the base rules. */
  limit: number;
  /** The window, in milliseconds. */
  windowMs: number;
  /** Shared storage for the counts; unset: each instance counts in its own memory. */
  redisUrl?: string;
}

export const DEFAULT_AUTH_RATE_LIMIT = '10/60s';
/** A ceiling far above any sane setting; 10×N (refresh) must stay a safe integer. */
const MAX_LIMIT = 1_000_000;
/** Longer windows are lockouts rather than rate limits (and keep counts in memory for long). */
const MAX_WINDOW_SECONDS = 86_400;

/**
 * `AUTH_RATE_LIMIT` (or `MAIL_RATE_LIMIT`): `N/window`, N a whole number ≥ 1, window a
 * duration from 1 s to 1 d.
 */
export function parseRateLimit(
  raw: string,
  variable = 'AUTH_RATE_LIMIT',
): { limit: number; windowMs: number } {
  const fail = (problem: string) => new ConfigError(variable, `"${raw}" ${problem}`);
  const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(raw);
  if (!match) throw fail('is not N/window (e.g. 10/60s or 5/15m)');
  const limit = Number(match[1]);
  if (limit < 1 || limit > MAX_LIMIT) throw fail(`needs N from 1 to ${MAX_LIMIT}`);
  const seconds = parseDuration(match[2]);
  if (seconds === null) throw fail('has no valid window (use 90s, 15m, 12h, 1d or seconds)');
  if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
    throw fail(`needs a window from 1s to ${MAX_WINDOW_SECONDS}s (1d)`);
  }
  return { limit, windowMs: seconds * 1000 };
}

/** `REDIS_URL`: `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. */
export function parseRedisUrl(raw: string): string {
  const fail = (problem: string) => new ConfigError('REDIS_URL', problem);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('is not a valid URL (redis://host:6379)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw fail(`unsupported scheme "${url.protocol}" (use redis:// or rediss://)`);
  }
  if (!url.hostname) throw fail('has no host (redis://host:6379)');
  if (!/^(\/\d*)?$/.test(url.pathname)) {
    throw fail('path must be a database number, e.g. redis://host:6379/0');
  }
  return raw;
}

export function loadRateLimitConfig(env: RawEnv): RateLimitConfig {
  const redisUrl = readOptional(env, 'REDIS_URL');
  return {
    ...parseRateLimit(readOptional(env, 'AUTH_RATE_LIMIT') ?? DEFAULT_AUTH_RATE_LIMIT),
    ...(redisUrl !== undefined && { redisUrl: parseRedisUrl(redisUrl) }),
  };
}

export const rateLimitConfig = registerAs('rateLimit', () => loadRateLimitConfig(process.env));
