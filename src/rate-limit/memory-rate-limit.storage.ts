import { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

/** How often idle keys are dropped (as @nestjs/throttler's ThrottlerStorageService). */
const SWEEP_INTERVAL_MS = 60_000;

interface KeyRecord {
  totalHits: Map<string, number>;
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
  /** Per throttler: the expiry times of the hits in the window, oldest first. */
  hits: Map<string, number[]>;
}

/**
 * In-memory rate-limit counts with the semantics of @nestjs/throttler's ThrottlerStorageService
 * (a sliding log of hits per key, a block of `blockDuration` once the limit is passed), in
 * O(1) amortised per request. That service filters the whole log into a new array on every
 * request (and takes `Math.min(...log)` of it): with a high limit, e.g. the bench's
 * 1,000,000/1s, the log of one busy client IP is thousands long and the filter was ~5 % of a
 * refresh. A log's expiry times are appended in order (one TTL per throttler), so expired hits
 * are always at its front and leave by one `splice`. memory-rate-limit.storage.spec.ts
 * checks it answers exactly as ThrottlerStorageService does.
 */
export class MemoryRateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly records = new Map<string, KeyRecord>();
  private sweep?: NodeJS.Timeout;

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    this.sweep ??= setInterval(() => this.evictIdle(Date.now()), SWEEP_INTERVAL_MS).unref();
    const now = Date.now();
    let record = this.records.get(key);
    if (!record) {
      record = {
        totalHits: new Map([[throttlerName, 0]]),
        expiresAt: now + ttl,
        blockExpiresAt: 0,
        isBlocked: false,
        hits: new Map(),
      };
      this.records.set(key, record);
    }
    const hits = this.liveHits(record, throttlerName, now);
    record.totalHits.set(throttlerName, hits.length);
    let timeToExpire = Math.ceil((record.expiresAt - now) / 1000);
    if (timeToExpire <= 0) {
      record.expiresAt = now + ttl;
      timeToExpire = Math.ceil(ttl / 1000);
    }
    const hit = () => {
      record.totalHits.set(throttlerName, (record.totalHits.get(throttlerName) ?? 0) + 1);
      record.hits.get(throttlerName)!.push(now + ttl);
    };
    if (blockDuration <= 0) {
      const isBlocked = (record.totalHits.get(throttlerName) ?? 0) >= limit;
      if (!isBlocked) hit();
      const log = record.hits.get(throttlerName)!;
      const totalHits = record.totalHits.get(throttlerName)! + (isBlocked ? 1 : 0);
      return Promise.resolve({
        totalHits,
        timeToExpire,
        isBlocked,
        timeToBlockExpire: isBlocked
          ? log.length
            ? Math.ceil((log[0] - now) / 1000)
            : timeToExpire
          : 0,
      });
    }
    if (!record.isBlocked) hit();
    if (record.totalHits.get(throttlerName)! > limit && !record.isBlocked) {
      record.isBlocked = true;
      record.blockExpiresAt = now + blockDuration;
    }
    const timeToBlockExpire = Math.ceil((record.blockExpiresAt - now) / 1000);
    if (timeToBlockExpire <= 0 && record.isBlocked) {
      record.isBlocked = false;
      record.totalHits.set(throttlerName, 0);
      record.hits.set(throttlerName, []);
      hit();
    }
    return Promise.resolve({
      totalHits: record.totalHits.get(throttlerName)!,
      timeToExpire,
      isBlocked: record.isBlocked,
      timeToBlockExpire,
    });
  }

  onApplicationShutdown(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = undefined;
    this.records.clear();
  }

  /** The throttler's log without its expired hits (those are at its front). */
  private liveHits(record: KeyRecord, throttlerName: string, now: number): number[] {
    let log = record.hits.get(throttlerName);
    if (!log) {
      log = [];
      record.hits.set(throttlerName, log);
    }
    let expired = 0;
    while (expired < log.length && log[expired] <= now) expired++;
    if (expired > 0) log.splice(0, expired);
    return log;
  }

  private evictIdle(now: number): void {
    for (const [key, record] of this.records) {
      if (record.isBlocked && record.blockExpiresAt > now) continue;
      if (record.expiresAt > now) continue;
      const live = [...record.hits.values()].some((log) => log.some((t) => t > now));
      if (!live) this.records.delete(key);
    }
  }
}
