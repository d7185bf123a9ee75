import { createSecretKey, randomUUID } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { Hs256Signer } from './hs256-signer';

describe('Hs256Signer', () => {
  const key = createSecretKey(Buffer.from('spec-secret-0123456789abcdefghijklmnopqrstuv'));
  const claims = { audience: 'nest-auth-clients', issuer: 'nest-auth-service' };

  it('signs a refresh token byte for byte as jsonwebtoken did (header, claim order, HMAC)', () => {
    const id = randomUUID();
    const payload = {
      sub: randomUUID(),
      sid: randomUUID(),
      iat: 1_765_000_000,
      exp: 1_765_604_800,
    };
    const before = jwt.sign(payload, key, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'rt+jwt' },
      ...claims,
      jwtid: id,
    });
    const signer = new Hs256Signer(key, { typ: 'rt+jwt' });
    expect(signer.sign({ ...payload, aud: claims.audience, iss: claims.issuer, jti: id })).toBe(
      before,
    );
  });

  it('signs an access token as jsonwebtoken did with expiresIn and a kid', () => {
    const now = 1_765_000_123;
    jest.useFakeTimers({ now: now * 1000 + 456 });
    try {
      const id = randomUUID();
      const body = {
        sub: randomUUID(),
        sid: randomUUID(),
        roles: ['user', 'admin'],
        amr: ['pwd', 'otp'],
        auth_time: now - 60,
      };
      const before = jwt.sign(body, key, {
        algorithm: 'HS256',
        header: { alg: 'HS256', typ: 'at+jwt', kid: 'hs256-abc' },
        ...claims,
        expiresIn: 900,
        jwtid: id,
      });
      const signer = new Hs256Signer(key, { typ: 'at+jwt', kid: 'hs256-abc' });
      const token = signer.sign({
        ...body,
        iat: now,
        exp: now + 900,
        aud: claims.audience,
        iss: claims.issuer,
        jti: id,
      });
      expect(token).toBe(before);
      expect(jwt.verify(token, key, { algorithms: ['HS256'], ...claims })).toMatchObject(body);
    } finally {
      jest.useRealTimers();
    }
  });

  it('encodes non-ASCII claims as UTF-8, as jws does', () => {
    const payload = { sub: 'Zoë 😀', iat: 1, exp: 2 };
    const before = jwt.sign(payload, key, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'at+jwt' },
    });
    expect(new Hs256Signer(key, { typ: 'at+jwt' }).sign(payload)).toBe(before);
  });

  it('makes a signature another key does not verify', () => {
    const token = new Hs256Signer(key, { typ: 'rt+jwt' }).sign({ sub: 'a', iat: 1, exp: 2 });
    const other = createSecretKey(Buffer.from('another-secret-0123456789abcdefghijklmnopqr'));
    expect(() =>
      jwt.verify(token, other, { algorithms: ['HS256'], ignoreExpiration: true }),
    ).toThrow('invalid signature');
  });
});
