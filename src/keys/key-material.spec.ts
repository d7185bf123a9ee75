import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import {
  generateSigningKey,
  privateKeyFromDer,
  publicJwkOf,
  publicKeyFromJwk,
  signJws,
  thumbprint,
  verifyJws,
} from './key-material';

describe('key material', () => {
  it('computes the RFC 7638 §3.1 example thumbprint', () => {
    const jwk = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP' +
        'ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq' +
        'Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0' +
        'fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(thumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each(['ES256', 'EdDSA', 'RS256'] as const)(
    '%s: generates a key whose kid is its thumbprint, publishes no private member, signs and verifies',
    (alg) => {
      const key = generateSigningKey(alg);
      expect(key.kid).toBe(thumbprint(key.publicJwk));
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        expect(key.publicJwk).not.toHaveProperty(member);
      }
      const privateKey = privateKeyFromDer(key.privateDer);
      expect(publicJwkOf(privateKey)).toEqual(key.publicJwk);
      const publicKey = publicKeyFromJwk(key.publicJwk);
      const signature = signJws(alg, privateKey, 'header.payload');
      const bytes = Buffer.from(signature, 'base64url');
      expect(verifyJws(alg, publicKey, 'header.payload', bytes)).toBe(true);
      expect(verifyJws(alg, publicKey, 'header.payloaX', bytes)).toBe(false);
      const other = publicKeyFromJwk(generateSigningKey(alg).publicJwk);
      expect(verifyJws(alg, other, 'header.payload', bytes)).toBe(false);
    },
  );

  it('ES256 signatures are r‖s (64 bytes); a DER signature of the same data is refused', () => {
    const key = generateSigningKey('ES256');
    const privateKey = createPrivateKey({ key: key.privateDer, format: 'der', type: 'pkcs8' });
    const signature = Buffer.from(signJws('ES256', privateKey, 'a.b'), 'base64url');
    expect(signature).toHaveLength(64);
    const der = sign('sha256', Buffer.from('a.b'), privateKey);
    const publicKey = createPublicKey(privateKey);
    expect(verifyJws('ES256', publicKey, 'a.b', der)).toBe(false);
  });

  it('a key of the wrong type never verifies (no exception escapes)', () => {
    const ed = publicKeyFromJwk(generateSigningKey('EdDSA').publicJwk);
    expect(verifyJws('RS256', ed, 'a.b', Buffer.alloc(256))).toBe(false);
    expect(verifyJws('ES256', ed, 'a.b', Buffer.alloc(64))).toBe(false);
  });
});
