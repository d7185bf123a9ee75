import { createHmac, createSign, KeyObject } from 'node:crypto';

export const ISSUER = 'nest-auth-service';

/** base64url of a JSON value, or of a string taken as the segment's raw text. */
export function segment(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return Buffer.from(text, 'utf8').toString('base64url');
}

export type Signature =
  | { hmac: 'sha256' | 'sha384' | 'sha512'; key: string | Buffer }
  | { rsa: KeyObject }
  | { raw: string }
  | { none: true };

/**
 * A JWT assembled by hand, so a test can pair any header with any signature (alg none with a
 * real HMAC, RS256 with an HMAC over our secret, …), which jsonwebtoken itself refuses to make.
 * `header` and `payload` are JSON values, or strings taken as the segment's raw text.
 */
export function forgeJwt(header: unknown, payload: unknown, signature: Signature): string {
  const input = `${segment(header)}.${segment(payload)}`;
  if ('none' in signature) return `${input}.`;
  if ('raw' in signature) return `${input}.${signature.raw}`;
  if ('rsa' in signature) {
    return `${input}.${createSign('RSA-SHA256').update(input).sign(signature.rsa).toString('base64url')}`;
  }
  return `${input}.${createHmac(signature.hmac, signature.key).update(input).digest('base64url')}`;
}

/** Claims a token of this app carries, `exp` 15 minutes ahead; `extra` overrides or adds. */
export function claims(base: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { ...base, iss: ISSUER, aud: ISSUER, iat: now, exp: now + 900, ...extra };
}
