import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { AppException, ErrorCode } from '../common/errors';
import { authConfig } from '../config/auth.config';
import { isUniqueViolation } from '../database/db-errors';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { User } from '../users/entities/user.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session, SessionEndReason } from './entities/session.entity';
import { ACCESS_TOKEN_TYP, JwtKeys, REFRESH_TOKEN_TYP } from './jwt-keys';
import { SessionLookup } from './session-lookup';
import { AuthUser, PresentedRefreshToken, RequestMeta } from './types/auth-user';
import { TokenPair } from './types/token-pair';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const later = (date: Date, secs: number) => new Date(date.getTime() + secs * 1000);
const earliest = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);

/**
 * Refresh tokens are HS256 JWTs with 256 bits of signature, so a fast SHA-256 of the token is
 * as strong as bcrypt here: nobody can guess a preimage, and a stolen table gives nothing to
 * present. bcrypt would only add ~100 ms of CPU to every refresh, and its random salt would
 * rule out finding a token by its hash.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Signs, hashes, rotates and revokes. Every check is one indexed lookup; rotation is decided
 * by one conditional UPDATE in the database, so it holds across instances.
 */
@Injectable()
export class TokenService {
  private readonly logger = new Logger(TokenService.name);

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    private readonly jwt: JwtService,
    private readonly keys: JwtKeys,
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly sessionLookup: SessionLookup,
  ) {}

  /** Starts a session for a user who just proved who they are, and issues its first pair. */
  async startSession(user: User, meta: RequestMeta): Promise<TokenPair> {
    const now = this.clock.now();
    const session = await this.sessions.save(
      this.sessions.create({
        id: randomUUID(),
        userId: user.id,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: later(now, this.config.sessionMaxTtl),
        refreshExpiresAt: earliest(
          later(now, this.config.refreshTtl),
          later(now, this.config.sessionMaxTtl),
        ),
        revokedAt: null,
        revokedReason: null,
        userAgent: meta.userAgent?.slice(0, 255) ?? null,
        ip: meta.ip?.slice(0, 45) ?? null,
      }),
    );
    const token = this.describeToken(randomUUID(), null, session, now);
    await this.tokens.insert(token.row);
    return this.pair(user, session.id, token.jwt, token.row.expiresAt, now);
  }

  /**
   * Spends the presented refresh token and returns the pair with its successor. Within the
   * reuse grace, presenting the just-rotated parent again answers the same successor; any
   * other replay revokes the whole session.
   */
  async rotate(presented: PresentedRefreshToken): Promise<TokenPair> {
    const row = await this.findPresented(presented);
    const { session } = row;
    const user = session.user;
    if (user.disabled) throw new AppException(ErrorCode.UserDisabled, 'Account is disabled');
    if (session.revokedAt) {
      // A racer that lost to a reuse detection presented a spent token too: same answer.
      if (row.spentAt && session.revokedReason === 'reuse_detected') throw this.reused();
      throw new AppException(ErrorCode.RefreshTokenRevoked, 'Refresh token has been revoked');
    }
    const now = this.clock.now();
    if (row.expiresAt <= now || session.expiresAt <= now) {
      throw new AppException(ErrorCode.RefreshTokenExpired, 'Refresh token has expired');
    }

    if (!row.spentAt) {
      const successor = this.describeToken(this.successorId(row.id), row.id, session, now);
      if (await this.spend(row, successor.row, now)) {
        return this.pair(user, session.id, successor.jwt, successor.row.expiresAt, now);
      }
    }
    return this.replay(row, now);
  }

  /**
   * The race is decided here, in the database: of N concurrent presentations (on any
   * instance) exactly one conditional UPDATE finds spent_at still NULL and affects a row.
   * Reading the row first and writing after would let two winners each issue a successor.
   * On MySQL the spend, the session's bookkeeping and the successor's insert are one
   * transaction, so a connection lost midway cannot leave a spent token without successor
   * (losers' UPDATEs wait on the row lock, then affect nothing). better-sqlite3 is in-process
   * and single-connection: TypeORM cannot interleave transactions on it, and no network can
   * fail between its statements, so there the same statements run one by one.
   */
  private spend(row: RefreshToken, successor: RefreshToken, now: Date): Promise<boolean> {
    const work = async (manager: EntityManager) => {
      const spent = await manager.update(
        RefreshToken,
        { id: row.id, spentAt: IsNull() },
        { spentAt: now },
      );
      if (spent.affected !== 1) return false;
      await manager.update(
        Session,
        { id: row.sessionId },
        { lastUsedAt: now, refreshExpiresAt: successor.expiresAt },
      );
      await this.insertIgnoringDuplicate(manager, successor);
      return true;
    };
    return this.dataSource.options.type === 'mysql'
      ? this.dataSource.transaction(work)
      : work(this.dataSource.manager);
  }

  /**
   * A spent token presented again. Inside the grace, and only while its successor is still
   * the live token, it answers that same successor: the successor is a pure function of the
   * parent (id by HMAC, times from the parent's spent_at). Anything else is reuse.
   */
  private async replay(row: RefreshToken, now: Date): Promise<TokenPair> {
    const { session } = row;
    const spentAt = (await this.tokens.findOneBy({ id: row.id }))?.spentAt;
    if (!spentAt) {
      throw new AppException(ErrorCode.ServiceUnavailable, 'Refresh did not complete; retry');
    }
    const successor = this.describeToken(this.successorId(row.id), row.id, session, spentAt);
    const live = await this.tokens.findOneBy({ id: successor.row.id });
    const graceEnds = later(spentAt, this.config.reuseGrace);
    if (this.config.reuseGrace === 0 || graceEnds <= now || live?.spentAt) {
      if (await this.endSession(session.id, 'reuse_detected')) {
        // A security event: someone holds a token that was already rotated.
        this.logger.warn(
          `refresh token reuse: session ${session.id} of user ${session.userId} revoked ` +
            `(token ${row.id} spent at ${spentAt.toISOString()})`,
        );
      }
      throw this.reused();
    }
    // Not there yet (SQLite racer before the winner's insert, or a crash in between): the
    // row is deterministic, so inserting it here is the same as the winner's insert.
    if (!live) {
      await this.insertIgnoringDuplicate(this.tokens.manager, successor.row);
      await this.sessions.update(
        { id: session.id },
        { lastUsedAt: spentAt, refreshExpiresAt: successor.row.expiresAt },
      );
    }
    return this.pair(session.user, session.id, successor.jwt, successor.row.expiresAt, now);
  }

  /** Ends the session of a presented refresh token; an already-ended one is fine (idempotent). */
  async logout(presented: PresentedRefreshToken): Promise<void> {
    const row = await this.findPresented(presented);
    await this.endSession(row.sessionId, 'logout');
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
    return { id: user.id, email: user.email, roles: user.roles, sessionId: sid, account: user };
  }

  /** Ends one session; true when it was still active. */
  async endSession(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    const result = await this.sessions.update(
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
    return result.affected === 1;
  }

  /** Ends every session of a user with one indexed UPDATE. */
  async endAllSessions(userId: string, reason: SessionEndReason): Promise<void> {
    await this.sessions.update(
      { userId, revokedAt: IsNull() },
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
  }

  private async findPresented(presented: PresentedRefreshToken) {
    const row = await this.tokens
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.session', 's')
      .innerJoinAndSelect('s.user', 'u')
      .where('t.id = :id', { id: presented.jti })
      .getOne();
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

  private reused(): AppException {
    return new AppException(
      ErrorCode.RefreshTokenReused,
      'Refresh token was already used; the session has been revoked',
    );
  }

  private async insertIgnoringDuplicate(manager: EntityManager, row: RefreshToken) {
    try {
      await manager.insert(RefreshToken, row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  /** Deterministic successor id: an RFC 9562 v8 UUID from HMAC(refresh key, parent id). */
  private successorId(parentId: string): string {
    const bytes = createHmac('sha256', this.keys.refresh).update(`successor:${parentId}`).digest();
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.subarray(0, 16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** The refresh JWT and its row; the same inputs always give the same token. */
  private describeToken(id: string, parentId: string | null, session: Session, issuedAt: Date) {
    const expiresAt = earliest(later(issuedAt, this.config.refreshTtl), session.expiresAt);
    const payload = {
      sub: session.userId,
      sid: session.id,
      iat: seconds(issuedAt),
      exp: seconds(expiresAt),
    };
    const jwt = this.jwt.sign(payload, {
      secret: this.keys.refresh as unknown as string,
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: REFRESH_TOKEN_TYP },
      issuer: this.keys.issuer,
      audience: this.keys.audience,
      jwtid: id,
    });
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

  private pair(
    user: User,
    sid: string,
    refreshToken: string,
    refreshEnds: Date,
    now: Date,
  ): TokenPair {
    const accessToken = this.jwt.sign(
      { sub: user.id, sid, roles: user.roles },
      {
        secret: this.keys.access as unknown as string,
        algorithm: 'HS256',
        header: { alg: 'HS256', typ: ACCESS_TOKEN_TYP },
        issuer: this.keys.issuer,
        audience: this.keys.audience,
        expiresIn: this.config.accessTtl,
        jwtid: randomUUID(),
      },
    );
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.config.accessTtl,
      refreshToken,
      refreshExpiresIn: Math.max(0, seconds(refreshEnds) - seconds(now)),
      user: UserResponseDto.from(user),
    };
  }
}
