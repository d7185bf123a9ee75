import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AccessTokenVerifier } from '../auth/access-token-verifier';
import { ACCESS_TOKEN_TYP, JwtKeys, REFRESH_TOKEN_TYP } from '../auth/jwt-keys';
import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { hashToken } from '../auth/token-signer';
import { TokenStore } from '../auth/token-store';
import { TokenService } from '../auth/token.service';
import { Clock } from '../common/clock';
import { AppException } from '../common/errors';
import { epochSeconds } from '../common/time';

export type TokenType = 'access_token' | 'refresh_token';

/** A token this server issued, its signature checked; `row` only for refresh tokens. */
export interface RecognisedToken {
  type: TokenType;
  sub: string;
  sid: string;
  jti?: string;
  iat?: number;
  exp: number;
  roles?: string[];
  /** The access token is past `exp` (its signature is still ours). */
  expired: boolean;
  row?: RefreshToken;
}

interface Claims {
  sub?: unknown;
  sid?: unknown;
  jti?: unknown;
  iat?: unknown;
  exp?: unknown;
  roles?: unknown;
}

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * Recognises a presented token as one of ours (access or refresh, signature, typ, iss, aud),
 * and answers whether it is live by the same rules the guard and the refresh route apply: an
 * ended, expired or disabled session, a spent or unknown refresh token are not.
 */
@Injectable()
export class TokenIntrospector {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly keys: JwtKeys,
    private readonly jwt: JwtService,
    private readonly store: TokenStore,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  /** The token as ours, or null (forged, malformed, another issuer's). `hint` orders the tries. */
  async recognise(token: string, hint?: string): Promise<RecognisedToken | null> {
    const order: TokenType[] =
      hint === 'refresh_token'
        ? ['refresh_token', 'access_token']
        : ['access_token', 'refresh_token'];
    for (const type of order) {
      const found = type === 'access_token' ? await this.asAccess(token) : this.asRefresh(token);
      if (found) return found;
    }
    return null;
  }

  /** Whether a recognised token is live right now (one indexed lookup). */
  async isActive(token: RecognisedToken, presented: string): Promise<boolean> {
    if (token.type === 'access_token') {
      if (token.expired) return false;
      try {
        await this.tokens.checkAccess(token.sid, token.sub);
        return true;
      } catch (error) {
        // token_revoked, token_invalid, user_disabled: inactive. A database failure is a 503.
        if (error instanceof AppException) return false;
        throw error;
      }
    }
    const row = await this.findRefreshRow(token, presented);
    if (!row) return false;
    const now = this.clock.now();
    const { session } = row;
    return (
      row.spentAt === null &&
      row.expiresAt > now &&
      session.revokedAt === null &&
      session.expiresAt > now &&
      !session.user.disabled
    );
  }

  /** The refresh token's row, if it is the very token stored (hash and session match). */
  async findRefreshRow(token: RecognisedToken, presented: string): Promise<RefreshToken | null> {
    if (token.row !== undefined) return token.row;
    const row = token.jti ? await this.store.find(token.jti) : null;
    const matches =
      row !== null &&
      row.sessionId === token.sid &&
      row.session.userId === token.sub &&
      row.tokenHash === hashToken(presented);
    token.row = matches ? row : undefined;
    return token.row ?? null;
  }

  private async asAccess(token: string): Promise<RecognisedToken | null> {
    let header: { typ?: string; crit?: unknown };
    let payload: Claims;
    let expired = false;
    try {
      ({ header, payload } = await this.verifier.verify(token));
    } catch (error) {
      if ((error as Error).name !== 'TokenExpiredError') return null;
      // Expired but genuine: recognised (revocation ends nothing for it), never active.
      expired = true;
      ({ header, payload } = this.jwt.decode<{ header: { typ?: string }; payload: Claims }>(token, {
        complete: true,
      }));
    }
    return this.describe('access_token', ACCESS_TOKEN_TYP, header, payload, expired);
  }

  private asRefresh(token: string): RecognisedToken | null {
    try {
      const { header, payload } = this.jwt.verify(token, {
        secret: this.keys.refresh as unknown as string,
        algorithms: ['HS256'],
        issuer: this.keys.issuer,
        audience: this.keys.audience,
        // Judged by its row (idle and absolute ends), as the refresh route does.
        ignoreExpiration: true,
        complete: true,
      }) as unknown as { header: { typ?: string; crit?: unknown }; payload: Claims };
      return this.describe('refresh_token', REFRESH_TOKEN_TYP, header, payload, false);
    } catch {
      return null;
    }
  }

  private describe(
    type: TokenType,
    typ: string,
    header: { typ?: string; crit?: unknown },
    payload: Claims,
    expired: boolean,
  ): RecognisedToken | null {
    const { sub, sid, jti, iat, exp, roles } = payload;
    const wellFormed =
      header.typ === typ &&
      header.crit === undefined &&
      isString(sub) &&
      isString(sid) &&
      typeof exp === 'number' &&
      (type === 'access_token' || isString(jti));
    if (!wellFormed) return null;
    return {
      type,
      sub,
      sid,
      exp,
      expired,
      ...(isString(jti) && { jti }),
      ...(typeof iat === 'number' && { iat }),
      ...(Array.isArray(roles) && { roles: roles.filter(isString) }),
    };
  }

  /** A refresh token's `exp` as introspection reports it: its row's idle end. */
  refreshExpiry(token: RecognisedToken): number {
    return token.row ? epochSeconds(token.row.expiresAt) : token.exp;
  }
}
