import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { addSeconds, earliest, epochSeconds } from '../common/time';
import { authConfig } from '../config/auth.config';
import { KeySet } from '../keys/key-set.service';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { User } from '../users/entities/user.entity';
import { Session } from './entities/session.entity';
import { Hs256Signer } from './hs256-signer';
import { ACCESS_TOKEN_TYP, JwtKeys, REFRESH_TOKEN_TYP } from './jwt-keys';
import { TokenPair } from './types/token-pair';

/** What an access token says about its session: its id, how and when it was proven. */
export type SessionProof = Pick<Session, 'id' | 'amr' | 'authTime'>;

/**
 * Refresh tokens are HS256 JWTs with 256 bits of signature, so a fast SHA-256 of the token is
 * as strong as bcrypt here: nobody can guess a preimage, and a stolen table gives nothing to
 * present. bcrypt would only add ~100 ms of CPU to every refresh, and its random salt would
 * rule out finding a token by its hash.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Pure token crypto: signs access and refresh JWTs and derives successor ids. No I/O. */
@Injectable()
export class TokenSigner {
  private readonly refreshJws: Hs256Signer;
  private readonly accessJws: Hs256Signer;

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly keys: JwtKeys,
    private readonly keySet: KeySet,
  ) {
    // Not secret: an HMAC of a constant under the key names the key without revealing it.
    const kid = `hs256-${createHmac('sha256', keys.access).update('kid').digest('base64url').slice(0, 16)}`;
    this.refreshJws = new Hs256Signer(keys.refresh, { typ: REFRESH_TOKEN_TYP });
    this.accessJws = new Hs256Signer(keys.access, { typ: ACCESS_TOKEN_TYP, kid });
  }

  /** Deterministic successor id: an RFC 9562 v8 UUID from HMAC(refresh key, parent id). */
  successorId(parentId: string): string {
    const bytes = createHmac('sha256', this.keys.refresh).update(`successor:${parentId}`).digest();
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.subarray(0, 16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * A refresh JWT and its expiry (idle end capped at the session's absolute end). HS256 is
   * deterministic, so the same id, session and issue time always give the same token.
   */
  signRefresh(id: string, session: Pick<Session, 'id' | 'userId' | 'expiresAt'>, issuedAt: Date) {
    const expiresAt = earliest(addSeconds(issuedAt, this.config.refreshTtl), session.expiresAt);
    const payload = {
      sub: session.userId,
      sid: session.id,
      iat: epochSeconds(issuedAt),
      exp: epochSeconds(expiresAt),
    };
    const jwt = this.refreshJws.sign({
      ...payload,
      aud: this.keys.audience,
      iss: this.keys.issuer,
      jti: id,
    });
    return { jwt, expiresAt };
  }

  /** The response for a refresh token: a fresh access token beside it, and the user. */
  pair(
    user: User,
    session: SessionProof,
    refreshToken: string,
    refreshEnds: Date,
    now: Date,
  ): TokenPair {
    const accessToken = this.signAccess(user, session);
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.config.accessTtl,
      refreshToken,
      refreshExpiresIn: Math.max(0, epochSeconds(refreshEnds) - epochSeconds(now)),
      user: UserResponseDto.from(user),
    };
  }

  /**
   * HS256 by Hs256Signer; ES256, EdDSA and RS256 by the key set's signing key of the moment.
   * The same claims either way, `iat` and `exp` from the wall clock as jsonwebtoken set them
   * (the verifiers judge `exp` by it).
   */
  private signAccess(user: User, session: SessionProof): string {
    // RFC 8176 `amr` and OIDC's `auth_time`: how and when the session was proven.
    const proof = { amr: session.amr.split(' '), auth_time: epochSeconds(session.authTime) };
    const iat = Math.floor(Date.now() / 1000);
    const claims = {
      sub: user.id,
      sid: session.id,
      roles: user.roles,
      ...proof,
      iat,
      exp: iat + this.config.accessTtl,
      aud: this.keys.audience,
      iss: this.keys.issuer,
      jti: randomUUID(),
    };
    return this.keySet.enabled ? this.keySet.sign(claims) : this.accessJws.sign(claims);
  }
}
