import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EntityTarget, In, LessThan, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { addSeconds } from '../common/time';
import { authConfig } from '../config/auth.config';
import { SessionCache } from '../session-cache/session-cache.service';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { EmailVerificationToken } from './entities/email-verification-token.entity';
import { PasswordResetToken } from './entities/password-reset-token.entity';
import { MfaChallenge } from './mfa/mfa.entities';

/** Single-use tokens with an `expiresAt`: worthless once expired, purged like sessions. */
const EXPIRING: EntityTarget<{ id: string; expiresAt: Date }>[] = [
  MfaChallenge,
  PasswordResetToken,
  EmailVerificationToken,
];

export const TOKEN_PURGE_INTERVAL_NAME = 'token-purge';

/**
 * Instances' clocks may disagree: a session is purged only an hour after its absolute end,
 * so no instance can still be answering a refresh in it when its rows go.
 */
const CLOCK_SKEW_MARGIN_SECONDS = 3600;
/** Per phase and run; what is left waits for the next run, so one run stays short. */
const MAX_BATCHES_PER_RUN = 100;
/** A deadlock victim's DELETE was rolled back whole; deleting by id is safe to repeat. */
const DEADLOCK_RETRIES = 2;

export interface PurgeResult {
  tokens: number;
  sessions: number;
  /** Expired mfa tokens, reset links and verification links. */
  links: number;
  batches: number;
}

/**
 * Deletes the refresh tokens, then the sessions, of sessions whose absolute end passed. Spent
 * tokens of live sessions are kept: they are what reuse detection recognises.
 */
@Injectable()
export class TokenPurgeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TokenPurgeService.name);
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    private readonly sessionCache: SessionCache,
  ) {}

  /** Registers the interval (none when TOKEN_PURGE_INTERVAL is 0), once the schema is migrated. */
  onApplicationBootstrap(): void {
    const seconds = this.config.tokenPurgeInterval;
    if (seconds === 0) return;
    const timer = setInterval(() => this.tick(), seconds * 1000);
    timer.unref();
    this.scheduler.addInterval(TOKEN_PURGE_INTERVAL_NAME, timer);
  }

  /** Stops the interval and lets a run in progress finish its current batch. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.scheduler.doesExist('interval', TOKEN_PURGE_INTERVAL_NAME)) {
      this.scheduler.deleteInterval(TOKEN_PURGE_INTERVAL_NAME);
    }
    await this.running;
  }

  /**
   * One purge run: the tokens of every session that ended over an hour ago, BATCH rows per
   * statement, then those sessions once they have no tokens left. Safe to run on several
   * instances at once: rows are chosen, then deleted by id, and a row already gone is skipped.
   */
  async purgeOnce(): Promise<PurgeResult> {
    const cutoff = addSeconds(this.clock.now(), -CLOCK_SKEW_MARGIN_SECONDS);
    const tokens = await this.inBatches(
      (limit) =>
        this.tokens
          .createQueryBuilder('t')
          .select('t.id', 'id')
          .innerJoin('t.session', 's')
          .where('s.expiresAt < :cutoff', { cutoff })
          .limit(limit)
          .getRawMany<{ id: string }>(),
      (ids) => this.tokens.delete({ id: In(ids) }),
    );
    const sessions = await this.inBatches(
      (limit) =>
        this.sessions
          .createQueryBuilder('s')
          .select('s.id', 'id')
          .where('s.expiresAt < :cutoff', { cutoff })
          .andWhere('NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id)')
          .limit(limit)
          .getRawMany<{ id: string }>(),
      async (ids) => {
        const result = await this.sessions.delete({ id: In(ids) });
        // Past their absolute end, so no cache answers for them anyway; said for every path.
        this.sessionCache.sessionsEnded(ids);
        return result;
      },
    );
    let links = 0;
    let linkBatches = 0;
    for (const entity of EXPIRING) {
      const repo = this.tokens.manager.getRepository(entity);
      const result = await this.inBatches(
        async (limit) =>
          await repo.find({
            select: { id: true },
            where: { expiresAt: LessThan(cutoff) },
            take: limit,
          }),
        (ids) => repo.delete({ id: In(ids) }),
      );
      links += result.deleted;
      linkBatches += result.batches;
    }
    return {
      tokens: tokens.deleted,
      sessions: sessions.deleted,
      links,
      batches: tokens.batches + sessions.batches + linkBatches,
    };
  }

  /** The interval's callback: never throws, and skips a tick while the last run is going. */
  private tick(): void {
    if (this.running || this.stopping) return;
    this.running = this.purgeOnce()
      .then(({ tokens, sessions, links, batches }) => {
        if (tokens + sessions + links > 0) {
          this.logger.log(
            `purged ${tokens} refresh tokens, ${sessions} sessions, ${links} expired links ` +
              `and mfa tokens (${batches} batches)`,
          );
        }
      })
      .catch((error: unknown) => {
        this.logger.error(`token purge failed: ${String(error)}`, (error as Error)?.stack);
      })
      .finally(() => {
        this.running = null;
      });
  }

  private async inBatches(
    select: (limit: number) => Promise<{ id: string }[]>,
    remove: (ids: string[]) => Promise<{ affected?: number | null }>,
  ): Promise<{ deleted: number; batches: number }> {
    const batch = this.config.tokenPurgeBatch;
    let deleted = 0;
    let batches = 0;
    while (batches < MAX_BATCHES_PER_RUN && !this.stopping) {
      const ids = (await select(batch)).map((row) => row.id).sort();
      if (ids.length === 0) break;
      batches++;
      // Another instance may have deleted some of these meanwhile: they just count as 0.
      deleted += (await this.retryDeadlock(() => remove(ids))).affected ?? 0;
      if (ids.length < batch) break;
      // A long purge must not hold up requests: let queued I/O run between batches.
      await yieldToEventLoop();
    }
    return { deleted, batches };
  }

  private async retryDeadlock<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { driverError?: { code?: string } }).driverError?.code;
        if (code !== 'ER_LOCK_DEADLOCK' || attempt >= DEADLOCK_RETRIES) throw error;
      }
    }
  }
}
