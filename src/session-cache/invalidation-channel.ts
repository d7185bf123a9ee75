import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

/** The Redis pub/sub channel every instance publishes its invalidations and heartbeats on. */
export const INVALIDATION_CHANNEL = 'auth:session-invalidations';
/** How long a silent instance keeps the others distrustful before it is forgotten. */
export const PEER_FORGET_MS = 60_000;

/** `s:<sessionId>` or `u:<userId>`. */
export type Invalidation = string;

/**
 * Where a cache learns of the other instances' invalidations, and since when it may believe
 * that it has learnt of all of them (`floor`).
 */
export interface InvalidationChannel {
  /** Entries read at or after this moment may be believed past the staleness bound. */
  floor(now: number): number;
  publish(items: Invalidation[]): void;
  close(): Promise<void>;
}

/** Without REDIS_URL: nothing to hear, so nothing is believed past the staleness bound. */
export class NoChannel implements InvalidationChannel {
  floor(): number {
    return Infinity;
  }
  publish(): void {}
  async close(): Promise<void> {}
}

/**
 * Invalidations over Redis pub/sub, with heartbeats that make a lost message detectable.
 *
 * Every instance publishes a heartbeat every `stalenessMs / 10`, but only when none of its
 * invalidations is unpublished or in flight: a failed publish is kept and sent again, ahead
 * of the next heartbeat. Redis delivers one connection's messages in order, so a heartbeat
 * received from an instance means every invalidation it made before it has been received.
 * The channel is healthy while this instance hears its own heartbeats (its subscription
 * works) and every instance heard in the last minute was heard within `0.4 × stalenessMs`.
 * A disconnect, a frozen Redis, or an instance that cannot publish makes it unhealthy; when
 * it is healthy again, the floor moves to that moment, since messages may have been lost in
 * between. Detection takes at most 0.5 × stalenessMs, so a cached entry read before an
 * ending is never believed past `stalenessMs` after it.
 */
export class RedisChannel implements InvalidationChannel {
  private readonly logger = new Logger('SessionCache');
  readonly instanceId = randomUUID();
  private readonly peers = new Map<string, number>();
  private readonly heartbeatMs: number;
  private readonly silenceMs: number;
  private selfHeardAt = -Infinity;
  private closedAt = -Infinity;
  private trustFrom = Infinity;
  private pending: Invalidation[] = [];
  private inFlight = false;
  private timer?: NodeJS.Timeout;
  private warnedAt = -Infinity;

  private constructor(
    private readonly subscriber: Redis,
    private readonly publisher: Redis,
    stalenessMs: number,
    private readonly apply: (items: Invalidation[]) => void,
    private readonly now: () => number,
  ) {
    this.heartbeatMs = Math.max(10, Math.floor(stalenessMs / 10));
    this.silenceMs = Math.floor(stalenessMs * 0.4);
  }

  /** Subscribes, and waits (at most 2 s) for its own first heartbeat. */
  static async connect(
    url: string,
    stalenessMs: number,
    apply: (items: Invalidation[]) => void,
    now: () => number = () => performance.now(),
  ): Promise<RedisChannel> {
    const options = {
      // A publish that cannot be sent fails at once and is kept for the next attempt.
      enableOfflineQueue: false,
      commandTimeout: Math.max(50, Math.floor(stalenessMs / 2)),
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      lazyConnect: true,
    };
    const subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
    const publisher = new Redis(url, options);
    const channel = new RedisChannel(subscriber, publisher, stalenessMs, apply, now);
    await channel.start();
    return channel;
  }

  private async start(): Promise<void> {
    const warn = (error: Error) => this.warn(error.message);
    this.subscriber.on('error', warn);
    this.publisher.on('error', warn);
    this.subscriber.on('close', () => {
      this.closedAt = this.now();
      this.trustFrom = Infinity;
    });
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    let check: NodeJS.Timeout | undefined;
    const heard = new Promise<void>((resolve) => {
      check = setInterval(() => {
        if (this.selfHeardAt > this.closedAt) resolve();
      }, 10);
      setTimeout(resolve, 2_000).unref();
    }).finally(() => clearInterval(check));
    await Promise.allSettled([this.subscriber.connect(), this.publisher.connect()]);
    await this.subscriber.subscribe(INVALIDATION_CHANNEL).catch(warn);
    this.timer = setInterval(() => this.tick(), this.heartbeatMs);
    this.timer.unref();
    this.tick();
    await heard;
  }

  floor(now: number): number {
    let healthy = this.selfHeardAt > this.closedAt && now - this.selfHeardAt <= this.silenceMs;
    for (const [id, heardAt] of this.peers) {
      const silent = now - heardAt;
      if (silent > PEER_FORGET_MS) this.peers.delete(id);
      else if (silent > this.silenceMs) healthy = false;
    }
    if (!healthy) this.trustFrom = Infinity;
    else if (this.trustFrom === Infinity) this.trustFrom = now;
    return this.trustFrom;
  }

  publish(items: Invalidation[]): void {
    this.pending.push(...items);
    this.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    // What this instance ended must still reach the others (a CLI command ends right after).
    const deadline = this.now() + 2_000;
    while ((this.pending.length > 0 || this.inFlight) && this.now() < deadline) {
      this.flush();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Leaving on purpose: the others need not wait a minute for this one's heartbeats.
    if (this.pending.length === 0 && !this.inFlight) {
      await this.publisher
        .publish(INVALIDATION_CHANNEL, `${this.instanceId} bye`)
        .catch(() => undefined);
    }
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private tick(): void {
    this.flush();
    this.floor(this.now());
  }

  /** Sends what is pending (or, with nothing pending, a bare heartbeat), one message at a time. */
  private flush(): void {
    if (this.inFlight) return;
    const items = this.pending;
    this.pending = [];
    this.inFlight = true;
    const message = [this.instanceId, ...items].join(' ');
    this.publisher.publish(INVALIDATION_CHANNEL, message).then(
      () => {
        this.inFlight = false;
        if (this.pending.length > 0) this.flush();
      },
      (error: Error) => {
        this.inFlight = false;
        this.pending = [...items, ...this.pending];
        this.warn(`publish failed: ${error.message}`);
      },
    );
  }

  private receive(message: string): void {
    const now = this.now();
    const [sender, ...items] = message.split(' ');
    if (sender === this.instanceId) {
      this.selfHeardAt = now;
    } else if (items[0] === 'bye') {
      this.peers.delete(sender);
    } else {
      if (items.length > 0) this.apply(items);
      this.peers.set(sender, now);
    }
    this.floor(now);
  }

  private warn(problem: string): void {
    const now = this.now();
    if (now - this.warnedAt < 30_000) return;
    this.warnedAt = now;
    this.logger.warn(
      `Redis: ${problem}; cached sessions are believed for at most the staleness bound until it is back`,
    );
  }
}
