import { JwtService } from '@nestjs/jwt';
import { KeyObject } from 'node:crypto';
import { loadKeysConfig } from '../config/keys.config';
import {
  generateSigningKey,
  privateKeyFromDer,
  publicKeyFromJwk,
  signJws,
} from '../keys/key-material';
import { KeySet } from '../keys/key-set.service';
import { AccessTokenVerifier } from './access-token-verifier';
import { JwtKeys } from './jwt-keys';
import { VerifiedTokenCache } from './verified-token-cache';

const ISSUER = 'auth-test';
const AUDIENCE = 'api-test';
const KEK = '11'.repeat(32);

/** An EdDSA verifier over one key; `lookups` counts the public-key lookups (full verifications). */
function verifierWith(cacheSize?: number) {
  const key = generateSigningKey('EdDSA');
  const publicKey = publicKeyFromJwk(key.publicJwk);
  const published = new Set([key.kid]);
  const lookups = { count: 0 };
  const keySet = {
    verificationKey: (kid: string): Promise<KeyObject | null> => {
      lookups.count++;
      return Promise.resolve(published.has(kid) ? publicKey : null);
    },
    isPublished: (kid: string) => published.has(kid),
  } as unknown as KeySet;
  const env: Record<string, string> = { JWT_ALG: 'EdDSA', KEY_ENCRYPTION_KEY: KEK };
  if (cacheSize !== undefined) env.TOKEN_VERIFY_CACHE_SIZE = String(cacheSize);
  const keys = { issuer: ISSUER, audience: AUDIENCE } as JwtKeys;
  const verifier = new AccessTokenVerifier(loadKeysConfig(env), keys, keySet, new JwtService());
  const privateKey = privateKeyFromDer(key.privateDer);
  const sign = (claims: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'EdDSA', typ: 'at+jwt', kid: key.kid };
    const payload = { sub: 'u1', sid: 's1', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60 };
    const input = [header, { ...payload, ...claims }]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .join('.');
    return `${input}.${signJws('EdDSA', privateKey, input)}`;
  };
  return { verifier, sign, lookups, published, kid: key.kid };
}

const tamper = (token: string) => {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.at(-1)}`;
};

describe('AccessTokenVerifier (asymmetric) with the verified-token cache', () => {
  it('verifies a token in full once, then answers the same token from the cache', async () => {
    const { verifier, sign, lookups } = verifierWith();
    const token = sign();
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(second.payload.sub).toBe('u1');
    expect(lookups.count).toBe(1);
  });

  it('never answers a tampered copy of a cached token from the cache', async () => {
    const { verifier, sign } = verifierWith();
    const token = sign();
    await verifier.verify(token);
    await expect(verifier.verify(tamper(token))).rejects.toThrow('invalid signature');
    // A failure is not cached either: the same forgery fails again.
    await expect(verifier.verify(tamper(token))).rejects.toThrow('invalid signature');
  });

  it('stops answering a cached token once its key has left the key set', async () => {
    const { verifier, sign, published, kid } = verifierWith();
    const token = sign();
    await verifier.verify(token);
    published.delete(kid);
    await expect(verifier.verify(token)).rejects.toThrow('unknown kid');
  });

  it('hands out a decoded token no request can change for the next one', async () => {
    const { verifier, sign } = verifierWith();
    const token = sign({ roles: ['user'] });
    const decoded = await verifier.verify(token);
    expect(() => {
      (decoded.payload as Record<string, unknown>).sub = 'admin';
    }).toThrow(TypeError);
    expect(() => (decoded.payload as { roles: string[] }).roles.push('admin')).toThrow(TypeError);
    expect((await verifier.verify(token)).payload.sub).toBe('u1');
  });

  it('with TOKEN_VERIFY_CACHE_SIZE=0 verifies every presentation in full', async () => {
    const { verifier, sign, lookups } = verifierWith(0);
    const token = sign();
    await verifier.verify(token);
    await verifier.verify(token);
    expect(lookups.count).toBe(2);
  });
});

describe('VerifiedTokenCache', () => {
  const decoded = () => ({ header: { alg: 'EdDSA' }, payload: { sub: 'u' } });
  const always = () => true;

  it('misses once exp has passed, and forgets the entry', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', decoded(), 'k', 1000);
    expect(cache.get('t', 999, always)).toBeDefined();
    expect(cache.get('t', 1000, always)).toBeUndefined();
    expect(cache.count).toBe(0);
  });

  it('holds at most its size, dropping the oldest entry first', () => {
    const cache = new VerifiedTokenCache(3);
    for (const token of ['a', 'b', 'c', 'd']) cache.set(token, decoded(), 'k', 1000);
    expect(cache.count).toBe(3);
    expect(cache.get('a', 0, always)).toBeUndefined();
    expect(cache.get('d', 0, always)).toBeDefined();
  });
});
