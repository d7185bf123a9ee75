import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  JsonWebKey,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { AsymmetricAlgorithm } from '../config/keys.config';

/** What each JWS algorithm means for node:crypto (RFC 7518 §3.4: ES256 signatures are r‖s). */
const SUITES: Record<
  AsymmetricAlgorithm,
  { digest: string | null; p1363: boolean; generate: () => { privateKey: KeyObject } }
> = {
  ES256: {
    digest: 'sha256',
    p1363: true,
    generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  },
  EdDSA: { digest: null, p1363: false, generate: () => generateKeyPairSync('ed25519') },
  RS256: {
    digest: 'sha256',
    p1363: false,
    generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  },
};

/** The JWK members RFC 7638 hashes, per key type, in the order it prescribes. */
const THUMBPRINT_MEMBERS: Record<string, string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: AsymmetricAlgorithm;
  use: 'sig';
}

/** The public JWK of a key, without any private member (`d`, `p`, `q`, `dp`, `dq`, `qi`). */
export function publicJwkOf(key: KeyObject): JsonWebKey {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  const members = THUMBPRINT_MEMBERS[jwk.kty as string];
  return Object.fromEntries(members.map((name) => [name, jwk[name as keyof JsonWebKey]]));
}

/** RFC 7638 thumbprint (SHA-256, base64url): the key's `kid`, derived from the key itself. */
export function thumbprint(jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty as string];
  const canonical = JSON.stringify(
    Object.fromEntries(members.map((name) => [name, jwk[name as keyof JsonWebKey]])),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

export interface GeneratedKey {
  kid: string;
  publicJwk: JsonWebKey;
  /** PKCS#8 DER: to be sealed before it is stored. */
  privateDer: Buffer;
}

export function generateSigningKey(algorithm: AsymmetricAlgorithm): GeneratedKey {
  const { privateKey } = SUITES[algorithm].generate();
  const publicJwk = publicJwkOf(privateKey);
  return {
    kid: thumbprint(publicJwk),
    publicJwk,
    privateDer: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}

export const privateKeyFromDer = (der: Buffer) =>
  createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });

export const publicKeyFromJwk = (jwk: JsonWebKey) => createPublicKey({ key: jwk, format: 'jwk' });

/** The JWS signature over `signingInput` (`base64url(header).base64url(payload)`). */
export function signJws(algorithm: AsymmetricAlgorithm, key: KeyObject, signingInput: string) {
  const { digest, p1363 } = SUITES[algorithm];
  const data = Buffer.from(signingInput, 'ascii');
  return sign(digest, data, p1363 ? { key, dsaEncoding: 'ieee-p1363' } : key).toString('base64url');
}

export function verifyJws(
  algorithm: AsymmetricAlgorithm,
  key: KeyObject,
  signingInput: string,
  signature: Buffer,
): boolean {
  const { digest, p1363 } = SUITES[algorithm];
  // A P-256 signature is exactly r‖s, 64 bytes; refusing others early also refuses DER.
  if (p1363 && signature.length !== 64) return false;
  const data = Buffer.from(signingInput, 'ascii');
  try {
    return verify(digest, data, p1363 ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
  } catch {
    return false;
  }
}

/** The key type each algorithm needs: a JWKS entry of another type never verifies for it. */
export const KEY_TYPE: Record<AsymmetricAlgorithm, string> = {
  ES256: 'EC',
  EdDSA: 'OKP',
  RS256: 'RSA',
};
