import { registerAs } from '@nestjs/config';
import { ConfigError } from './config-error';
import { parseDuration } from './duration';
import { RawEnv, readEnum, readInt, readOptional } from './env';
import { parseRedisUrl } from './rate-limit.config';

export interface SessionCacheConfig {
  /** SESSION_CACHE: `on` (default) or `off` (every access token is checked in the database). */
  enabled: boolean;
  /** SESSION_CACHE_SIZE: sessions kept, least recently used evicted first. */
  size: number;
  /**
   * SESSION_CACHE_MAX_STALENESS in milliseconds: the longest a cached session is believed
   * without word from every instance over Redis (and always without REDIS_URL).
   */
  maxStalenessMs: number;
  /** REDIS_URL, shared with the rate limits: the invalidation channel between instances. */
  redisUrl?: string;
}

const MIN_STALENESS_MS = 100;
const MAX_STALENESS_MS = 60_000;

/** `500ms`, or a duration (`1s`, `2`); from 100 ms to 60 s. */
export function parseStaleness(raw: string): number {
  const match = /^\s*(\d{1,9})\s*ms\s*$/i.exec(raw);
  const seconds = match ? null : parseDuration(raw);
  const ms = match ? Number(match[1]) : seconds === null ? NaN : seconds * 1000;
  if (!Number.isFinite(ms) || ms < MIN_STALENESS_MS || ms > MAX_STALENESS_MS) {
    throw new ConfigError(
      'SESSION_CACHE_MAX_STALENESS',
      `"${raw}" must be a duration from ${MIN_STALENESS_MS}ms to ${MAX_STALENESS_MS / 1000}s (e.g. 500ms, 1s)`,
    );
  }
  return ms;
}

export function loadSessionCacheConfig(env: RawEnv): SessionCacheConfig {
  const redisUrl = readOptional(env, 'REDIS_URL');
  return {
    enabled: readEnum(env, 'SESSION_CACHE', 'on', ['on', 'off'] as const) === 'on',
    size: readInt(env, 'SESSION_CACHE_SIZE', 100_000, 1, 10_000_000),
    maxStalenessMs: parseStaleness(readOptional(env, 'SESSION_CACHE_MAX_STALENESS') ?? '1s'),
    ...(redisUrl !== undefined && { redisUrl: parseRedisUrl(redisUrl) }),
  };
}

export const sessionCacheConfig = registerAs('sessionCache', () =>
  loadSessionCacheConfig(process.env),
);
