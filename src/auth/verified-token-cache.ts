import type { DecodedJwt } from './strategies/jwt.strategy';

interface Entry {
  decoded: DecodedJwt;
  kid: string;
  /** The token's `exp`, in seconds. */
  exp: number;
}

/**
 * Access tokens whose signature and claims have been verified, so a client presenting the same
 * token again (which a client does for every call until it expires) costs a map lookup instead
 * of a public-key verification (about 90 µs for Ed25519 here). Keyed by the whole compact
 * token: a token that differs in any byte, a forged one included, is a miss and is verified in
 * full. Failures are never stored. A hit still answers "expired" from `exp`, and a token whose
 * key has left the key set stops verifying at once (the caller passes the set's lookup). The
 * session check is not cached: it runs for every request after this.
 *
 * Bounded to `size` entries (TOKEN_VERIFY_CACHE_SIZE; 0 turns it off): when full, the oldest
 * entry goes. Access tokens live minutes, so insertion order is close to expiry order.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly size: number) {}

  /**
   * The decoded token if it was verified before, its `exp` has not passed (`nowSeconds`) and
   * `published(kid)` still holds; otherwise undefined (an expired or unpublished entry goes).
   */
  get(token: string, nowSeconds: number, published: (kid: string) => boolean) {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (nowSeconds >= entry.exp || !published(entry.kid)) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.decoded;
  }

  set(token: string, decoded: DecodedJwt, kid: string, exp: number): void {
    if (this.size === 0) return;
    if (this.entries.size >= this.size) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(token, { decoded: freeze(decoded), kid, exp });
  }

  get count(): number {
    return this.entries.size;
  }
}

/** One decoded token serves many requests: none of them may change it for the others. */
function freeze(decoded: DecodedJwt): DecodedJwt {
  for (const value of Object.values(decoded.payload)) {
    if (Array.isArray(value)) Object.freeze(value);
  }
  Object.freeze(decoded.header);
  Object.freeze(decoded.payload);
  return Object.freeze(decoded);
}
