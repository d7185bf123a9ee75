import { Logger, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage';

/** Longest a request waits for Redis before it is counted in memory instead. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** After a Redis failure, how long counting stays in memory before Redis is tried again. */
export const REDIS_RETRY_AFTER_MS = 5_000;
/** How long the start waits for the first connection (so the first requests count in Redis). */
const REDIS_FIRST_CONNECT_MS = 2_000;
/** At most one warning per this interval while Redis stays down, not one per request. */
const WARNING_INTERVAL_MS = 30_000;

/**
 * Counts in Redis, shared by every instance (the atomic INCR/PEXPIRE Lua script of
 * @nest-lab/throttler-storage-redis). While Redis is unreachable or slower than 500 ms, each
 * instance counts in its own memory instead: failing open would hand an attacker unlimited
 * guesses whenever Redis is down, failing closed would turn a Redis outage into a login outage.
 * Per-instance counting keeps a bound (N × instances) and keeps logins working.
 */
export class RedisRateLimitStorage
  implements ThrottlerStorage, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger('RateLimit');
  private readonly memory = new MemoryRateLimitStorage();
  private redisDownUntil = 0;
  private lastWarningAt = 0;

  private constructor(
    private readonly redis: ThrottlerStorageRedisService,
    private readonly where: string,
  ) {
    redis.redis.on('error', (error: Error) => this.warn(`Redis ${where}: ${error.message}`));
    redis.redis.on('ready', () => {
      if (this.lastWarningAt === 0) return;
      this.logger.log(`Redis ${where} is reachable again; counts are shared again`);
      this.lastWarningAt = 0;
    });
  }

  /** Connects to `url` and waits (at most 2 s) for the first connection or failure. */
  static async connect(url: string): Promise<RedisRateLimitStorage> {
    const redis = new ThrottlerStorageRedisService(url, {
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      // Without a connection a command fails at once (and counts in memory) instead of
      // queueing behind the reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: REDIS_FIRST_CONNECT_MS,
    });
    const parsed = new URL(url);
    const storage = new RedisRateLimitStorage(redis, `${parsed.hostname}:${parsed.port || 6379}`);
    await new Promise<void>((settle) => {
      const timer = setTimeout(settle, REDIS_FIRST_CONNECT_MS);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        settle();
      };
      redis.redis.once('ready', done);
      redis.redis.once('error', done);
    });
    return storage;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (Date.now() >= this.redisDownUntil) {
      try {
        return await this.redis.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.redisDownUntil = Date.now() + REDIS_RETRY_AFTER_MS;
        this.warn(`Redis ${this.where} failed: ${(error as Error).message}`);
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onModuleDestroy(): void {
    this.redis.onModuleDestroy();
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }

  private warn(problem: string): void {
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = now;
    this.logger.warn(`${problem}; rate limits count per instance until it is back`);
  }
}
