import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { sessionCacheConfig } from '../config/session-cache.config';
import { Invalidation, InvalidationChannel, NoChannel, RedisChannel } from './invalidation-channel';
import { CacheableSession, SessionStateCache } from './session-state-cache';

/**
 * The session-state cache behind the access-token check, and the one invalidation hook that
 * every way of ending a session (or changing a user) calls after its database write:
 * `sessionsEnded` / `usersChanged` drop the entries here at once and tell the other instances
 * over Redis. A new ending path only has to call one of them.
 *
 * With SESSION_CACHE=off nothing is cached and nothing is published: every check reads the
 * database, as before the cache existed.
 */
@Injectable()
export class SessionCache implements OnModuleInit, OnApplicationShutdown {
  readonly enabled: boolean;
  private readonly cache: SessionStateCache<CacheableSession>;
  private channel: InvalidationChannel = new NoChannel();

  constructor(
    @Inject(sessionCacheConfig.KEY)
    private readonly config: ConfigType<typeof sessionCacheConfig>,
  ) {
    this.enabled = config.enabled;
    this.cache = new SessionStateCache(config.size, config.maxStalenessMs);
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled || !this.config.redisUrl) return;
    this.channel = await RedisChannel.connect(
      this.config.redisUrl,
      this.config.maxStalenessMs,
      (items) => this.apply(items),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel.close();
  }

  /**
   * The cached session, or `load()`'s answer, stored when `keep` says it is a valid one.
   * Only valid sessions are kept: an ended one goes to the database every time.
   */
  async lookup<V extends CacheableSession>(
    sid: string,
    load: () => Promise<V | null>,
    keep: (value: V) => boolean,
  ): Promise<V | null> {
    if (!this.enabled) return load();
    const cached = this.cache.get(sid, this.channel.floor(performance.now()));
    if (cached) return cached as V;
    const startedAt = this.cache.startRead();
    const value = await load();
    if (value && keep(value)) this.cache.set(sid, value, startedAt);
    return value;
  }

  /** Call after the write that ended (or deleted) these sessions has committed. */
  sessionsEnded(sessionIds: readonly string[]): void {
    if (!this.enabled || sessionIds.length === 0) return;
    for (const sid of sessionIds) this.cache.invalidateSession(sid);
    this.channel.publish(sessionIds.map((sid) => `s:${sid}`));
  }

  /** Call after a write that changed these sessions (how and when they were proven: amr). */
  sessionsChanged(sessionIds: readonly string[]): void {
    this.sessionsEnded(sessionIds);
  }

  /**
   * Call after the write that ended every session of these users, or changed them (roles,
   * disabled, profile: what the check answers with), has committed.
   */
  usersChanged(userIds: readonly string[]): void {
    if (!this.enabled || userIds.length === 0) return;
    for (const id of userIds) this.cache.invalidateUser(id);
    this.channel.publish(userIds.map((id) => `u:${id}`));
  }

  get size(): number {
    return this.cache.count;
  }

  private apply(items: Invalidation[]): void {
    for (const item of items) {
      const id = item.slice(2);
      if (item.startsWith('s:')) this.cache.invalidateSession(id);
      else if (item.startsWith('u:')) this.cache.invalidateUser(id);
    }
  }
}
