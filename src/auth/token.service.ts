import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, Repository } from 'typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { Clock } from '../common/clock';
import { AppException, ErrorCode } from '../common/errors';
import { addSeconds, earliest, epochSeconds } from '../common/time';
import { authConfig } from '../config/auth.config';
import { SessionCache } from '../session-cache/session-cache.service';
import { User } from '../users/entities/user.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session, SessionEndReason } from './entities/session.entity';
import { SessionLookup } from './session-lookup';
import { hashToken, TokenSigner } from './token-signer';
import { TokenStore } from './token-store';
import { AuthUser, PresentedRefreshToken, RequestMeta } from './types/auth-user';
import { TokenPair } from './types/token-pair';

/** Where no request is behind a call (unit specs). */
const NO_META: RequestMeta = { ip: null, userAgent: null };

/**
 * Issues, rotates and revokes (signing is TokenSigner's). Every check is one indexed lookup;
 * rotation is decided by one conditional UPDATE in the database, so it holds across instances.
 */
@Injectable()
export class TokenService {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    private readonly signer: TokenSigner,
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly sessionLookup: SessionLookup,
    private readonly audit: AuditLog,
    private readonly store: TokenStore,
    private readonly sessionCache: SessionCache,
  ) {}

  /** Starts a session for a user who just proved who they are, and issues its first pair. */
  async startSession(
    user: User,
    meta: RequestMeta,
    amr: readonly string[] = ['pwd'],
  ): Promise<{ sessionId: string; pair: TokenPair }> {
    const now = this.clock.now();
    const session = this.sessions.create({
      id: randomUUID(),
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: addSeconds(now, this.config.sessionMaxTtl),
      refreshExpiresAt: earliest(
        addSeconds(now, this.config.refreshTtl),
        addSeconds(now, this.config.sessionMaxTtl),
      ),
      revokedAt: null,
      revokedReason: null,
      userAgent: meta.userAgent?.slice(0, 255) ?? null,
      ip: meta.ip?.slice(0, 45) ?? null,
      amr: amr.join(' '),
      authTime: now,
    });
    // insert, not save: save wraps itself in a transaction, which on SQLite's one shared
    // connection would take in whatever other requests run meanwhile.
    await this.sessions.insert(session);
    const token = this.describeToken(randomUUID(), null, session, now);
    await this.tokens.insert(token.row);
    const pair = this.signer.pair(user, session, token.jwt, token.row.expiresAt, now);
    return { sessionId: session.id, pair };
  }

  /**
   * Spends the presented refresh token and returns the pair with its successor. Within the
   * reuse grace, presenting the just-rotated parent again answers the same successor; any
   * other replay revokes the whole session.
   */
  async rotate(presented: PresentedRefreshToken, meta: RequestMeta = NO_META): Promise<TokenPair> {
    const row = await this.findPresented(presented);
    if (!row) throw this.expired();
    const { session } = row;
    const user = session.user;
    if (user.disabled) throw new AppException(ErrorCode.UserDisabled, 'Account is disabled');
    if (session.revokedAt) {
      // A racer that lost to a reuse detection presented a spent token too: same answer.
      if (row.spentAt && session.revokedReason === 'reuse_detected') throw this.reused();
      throw new AppException(ErrorCode.RefreshTokenRevoked, 'Refresh token has been revoked');
    }
    const now = this.clock.now();
    if (session.expiresAt <= now) throw this.expired();
    // A spent token is evidence of theft until the session's absolute end: its own (idle)
    // expiry must not turn a replay into a harmless "expired" that leaves the thief's session up.
    if (row.spentAt) return this.replay(row, now, meta);
    if (row.expiresAt <= now) throw this.expired();

    const successor = this.describeToken(this.signer.successorId(row.id), row.id, session, now);
    if (await this.store.spend(row, successor.row, now)) {
      this.audit.record('auth.refresh', {
        userId: user.id,
        sessionId: session.id,
        grace: false,
        ...meta,
      });
      return this.signer.pair(user, session, successor.jwt, successor.row.expiresAt, now);
    }
    // Lost the race to a concurrent presentation, which spent it first.
    return this.replay(row, now, meta);
  }

  /**
   * A spent token presented again. Inside the grace, and only while its successor is still
   * the live token, it answers that same successor: the successor is a pure function of the
   * parent (id by HMAC, times from the parent's spent_at). Anything else is reuse.
   */
  private async replay(row: RefreshToken, now: Date, meta: RequestMeta): Promise<TokenPair> {
    const { session } = row;
    // Already spent when first read: no need to read again. Spent by a racer meanwhile: read it.
    const spentAt = row.spentAt ?? (await this.tokens.findOneBy({ id: row.id }))?.spentAt;
    if (!spentAt) {
      throw new AppException(ErrorCode.ServiceUnavailable, 'Refresh did not complete; retry');
    }
    const successor = this.describeToken(this.signer.successorId(row.id), row.id, session, spentAt);
    const live = await this.tokens.findOneBy({ id: successor.row.id });
    const graceEnds = addSeconds(spentAt, this.config.reuseGrace);
    if (this.config.reuseGrace === 0 || graceEnds <= now || live?.spentAt) {
      if (await this.endSession(session.id, 'reuse_detected')) {
        // A security event: someone holds a token that was already rotated.
        this.audit.record('auth.refresh.reuse_detected', {
          userId: session.userId,
          sessionId: session.id,
          tokenId: row.id,
          spentAt: spentAt.toISOString(),
          ...meta,
        });
      }
      throw this.reused();
    }
    // Missing: the spend and its successor's insert commit together, so the row was removed
    // since. It is deterministic, so writing it back is the same as the winner's insert.
    if (!live) {
      await this.store.restoreSuccessor(successor.row, spentAt);
    }
    this.audit.record('auth.refresh', {
      userId: session.userId,
      sessionId: session.id,
      grace: true,
      ...meta,
    });
    return this.signer.pair(session.user, session, successor.jwt, successor.row.expiresAt, now);
  }

  /** Ends the session of a presented refresh token; an already-ended one is fine (idempotent). */
  async logout(presented: PresentedRefreshToken, meta: RequestMeta = NO_META): Promise<void> {
    const row = await this.findPresented(presented);
    // Purged: its session ended long ago, which is what logout asks for.
    if (!row) return;
    const ended = await this.endSession(row.sessionId, 'logout');
    this.audit.record('auth.logout', {
      userId: row.session.userId,
      sessionId: row.sessionId,
      ended,
      ...meta,
    });
  }

  /** One indexed lookup (session by primary key, joined with its user) per access token. */
  async checkAccess(sid: string, sub: string): Promise<AuthUser> {
    const session = await this.sessionLookup.find(sid);
    if (!session || session.userId !== sub) {
      throw new AppException(ErrorCode.TokenInvalid, 'Access token is invalid', 401, true);
    }
    if (session.user.disabled) {
      throw new AppException(ErrorCode.UserDisabled, 'Account is disabled', 401, true);
    }
    if (session.revokedAt || session.expiresAt <= this.clock.now()) {
      throw new AppException(ErrorCode.TokenRevoked, 'Session has ended', 401, true);
    }
    const { user } = session;
    return {
      id: user.id,
      email: user.email,
      roles: user.roles,
      sessionId: sid,
      amr: session.amr.split(' '),
      authTime: session.authTime,
      account: user,
    };
  }

  /**
   * Ends one session; true when it was still active. Every path that ends one session comes
   * here: after the UPDATE commits, the session-state cache of every instance drops it.
   */
  async endSession(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    const result = await this.sessions.update(
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
    this.sessionCache.sessionsEnded([sessionId]);
    return result.affected === 1;
  }

  /**
   * Ends every session of a user with one indexed UPDATE; every path that ends all of a
   * user's sessions comes here, and the caches drop them all after the commit.
   */
  async endAllSessions(userId: string, reason: SessionEndReason): Promise<void> {
    await this.sessions.update(
      { userId, revokedAt: IsNull() },
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
    this.sessionCache.usersChanged([userId]);
  }

  /**
   * The presented token's row, or null when it was purged. TokenPurgeService deletes rows only
   * after their session's absolute end, and no token's `exp` outlives that: a validly signed
   * token past its `exp` without a row is one of those, and answers as expired, not invalid.
   */
  private async findPresented(presented: PresentedRefreshToken): Promise<RefreshToken | null> {
    const row = await this.store.find(presented.jti);
    if (!row && presented.exp <= epochSeconds(this.clock.now())) return null;
    const matches =
      row &&
      row.sessionId === presented.sid &&
      row.session.userId === presented.sub &&
      row.tokenHash === hashToken(presented.token);
    if (!matches) {
      throw new AppException(ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
    }
    return row;
  }

  private expired(): AppException {
    return new AppException(ErrorCode.RefreshTokenExpired, 'Refresh token has expired');
  }

  private reused(): AppException {
    return new AppException(
      ErrorCode.RefreshTokenReused,
      'Refresh token was already used; the session has been revoked',
    );
  }

  /** The refresh token's row for a JWT from the signer; the same inputs give the same row. */
  private describeToken(id: string, parentId: string | null, session: Session, issuedAt: Date) {
    const { jwt, expiresAt } = this.signer.signRefresh(id, session, issuedAt);
    const row = this.tokens.create({
      id,
      sessionId: session.id,
      parentId,
      tokenHash: hashToken(jwt),
      createdAt: issuedAt,
      expiresAt,
      spentAt: null,
    });
    return { jwt, row };
  }
}
