import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { AppException, ErrorCode } from '../common/errors';
import { authConfig } from '../config/auth.config';
import { isUniqueViolation } from '../database/db-errors';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { User } from '../users/entities/user.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session, SessionEndReason } from './entities/session.entity';
import { ACCESS_TOKEN_TYP, JwtKeys, REFRESH_TOKEN_TYP } from './jwt-keys';
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
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    private readonly jwt: JwtService,
    private readonly keys: JwtKeys,
    private readonly clock: Clock,
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

    let spentAt = row.spentAt;
    let won = false;
    if (!spentAt) {
      // The race is decided here, in the database: of N concurrent presentations (on any
      // instance) exactly one UPDATE finds spent_at still NULL and affects a row. Reading the
      // row first and writing after would let two winners each issue a successor.
      const result = await this.tokens.update({ id: row.id, spentAt: IsNull() }, { spentAt: now });
      won = result.affected === 1;
      if (won) spentAt = now;
      else spentAt = (await this.tokens.findOneBy({ id: row.id }))?.spentAt ?? now;
    }

    const successor = this.describeToken(this.successorId(row.id), row.id, session, spentAt);
    if (!won) {
      const graceEnds = later(spentAt, this.config.reuseGrace);
      const live = await this.tokens.findOneBy({ id: successor.row.id });
      if (this.config.reuseGrace === 0 || graceEnds <= now || live?.spentAt) {
        await this.endSession(session.id, 'reuse_detected');
        throw this.reused();
      }
      if (live) return this.pair(user, session.id, successor.jwt, successor.row.expiresAt, now);
    }
    // The successor is a pure function of the parent (id derived by HMAC, times from the
    // parent's spent_at), so the winner and a racer inside the grace insert the same row.
    await this.insertIgnoringDuplicate(successor.row);
    await this.sessions.update({ id: session.id }, { lastUsedAt: now });
    return this.pair(user, session.id, successor.jwt, successor.row.expiresAt, now);
  }

  /** Ends the session of a presented refresh token; an already-ended one is fine (idempotent). */
  async logout(presented: PresentedRefreshToken): Promise<void> {
    const row = await this.findPresented(presented);
    await this.endSession(row.sessionId, 'logout');
  }

  /** One indexed lookup (session by primary key, joined with its user) per access token. */
  async checkAccess(sid: string, sub: string): Promise<AuthUser> {
    const session = await this.sessions
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.user', 'u')
      .where('s.id = :sid', { sid })
      .getOne();
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

  private async insertIgnoringDuplicate(row: RefreshToken): Promise<void> {
    try {
      await this.tokens.insert(row);
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
