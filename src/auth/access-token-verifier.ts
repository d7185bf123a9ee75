import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { AsymmetricAlgorithm, keysConfig } from '../config/keys.config';
import { KEY_TYPE, verifyJws } from '../keys/key-material';
import { KeySet } from '../keys/key-set.service';
import { JwtKeys } from './jwt-keys';
import type { DecodedJwt } from './strategies/jwt.strategy';
import { VerifiedTokenCache } from './verified-token-cache';

/** Named like jsonwebtoken's errors, which JwtAuthGuard maps to token_expired / token_invalid. */
export class AccessTokenError extends Error {
  constructor(
    message: string,
    readonly name: 'JsonWebTokenError' | 'TokenExpiredError' = 'JsonWebTokenError',
  ) {
    super(message);
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Signature and registered claims of an access token, for the guard (asymmetric JWT_ALG) and
 * for introspection (every JWT_ALG). The algorithm is pinned: a header naming any other, `none`
 * or HS256 signed with a public key (the key-confusion attack) is refused before any key is
 * used, and the key for the `kid` must be of the algorithm's own type. `typ`, `crit` and the
 * session are JwtStrategy's to check, as for HS256.
 */
@Injectable()
export class AccessTokenVerifier {
  readonly algorithm: ConfigType<typeof keysConfig>['algorithm'];
  private readonly verified: VerifiedTokenCache;

  constructor(
    @Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>,
    private readonly keys: JwtKeys,
    private readonly keySet: KeySet,
    private readonly jwt: JwtService,
  ) {
    this.algorithm = config.algorithm;
    this.verified = new VerifiedTokenCache(config.verifyCacheSize);
  }

  get asymmetric(): boolean {
    return this.algorithm !== 'HS256';
  }

  async verify(token: string): Promise<DecodedJwt> {
    if (!this.asymmetric) return this.verifyHs256(token);
    const cached = this.verified.get(token, Math.floor(Date.now() / 1000), (kid) =>
      this.keySet.isPublished(kid),
    );
    if (cached) return cached;
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
      throw new AccessTokenError('jwt malformed');
    }
    const header = decodeJson(parts[0]);
    const payload = decodeJson(parts[1]);
    if (!header || !payload) throw new AccessTokenError('jwt malformed');
    const algorithm = this.algorithm as AsymmetricAlgorithm;
    if (header.alg !== algorithm) throw new AccessTokenError('invalid algorithm');
    if (typeof header.kid !== 'string') throw new AccessTokenError('kid missing');
    const key = await this.keySet.verificationKey(header.kid);
    if (!key || key.asymmetricKeyType === undefined || !matchesType(key, algorithm)) {
      throw new AccessTokenError('unknown kid');
    }
    const signature = Buffer.from(parts[2], 'base64url');
    if (!verifyJws(algorithm, key, `${parts[0]}.${parts[1]}`, signature)) {
      throw new AccessTokenError('invalid signature');
    }
    this.checkClaims(payload);
    const decoded = { header, payload } as DecodedJwt;
    this.verified.set(token, decoded, header.kid, payload.exp as number);
    return decoded;
  }

  /** jsonwebtoken's own checks, as passport-jwt runs them for the guard. */
  private verifyHs256(token: string): DecodedJwt {
    try {
      return this.jwt.verify(token, {
        secret: this.keys.access as unknown as string,
        algorithms: ['HS256'],
        issuer: this.keys.issuer,
        audience: this.keys.audience,
        complete: true,
      }) as unknown as DecodedJwt;
    } catch (error) {
      const name = (error as Error).name === 'TokenExpiredError' ? 'TokenExpiredError' : undefined;
      throw new AccessTokenError((error as Error).message, name);
    }
  }

  /** As jsonwebtoken judges them: exp required and in the future, nbf passed, iss and aud ours. */
  private checkClaims(payload: Record<string, unknown>): void {
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.exp !== 'number') throw new AccessTokenError('exp missing');
    if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now)) {
      throw new AccessTokenError('jwt not active');
    }
    if (payload.iss !== this.keys.issuer) throw new AccessTokenError('jwt issuer invalid');
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.includes(this.keys.audience)) throw new AccessTokenError('jwt audience invalid');
    // After the signature and claims: an expired forgery is "invalid", not "expired".
    if (now >= payload.exp) throw new AccessTokenError('jwt expired', 'TokenExpiredError');
  }
}

function matchesType(key: { asymmetricKeyType?: string }, algorithm: AsymmetricAlgorithm) {
  const type = key.asymmetricKeyType;
  return (
    KEY_TYPE[algorithm] ===
    (type === 'ec' ? 'EC' : type === 'ed25519' ? 'OKP' : type === 'rsa' ? 'RSA' : '')
  );
}
