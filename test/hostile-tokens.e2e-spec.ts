import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Response } from 'supertest';
import { bearer, decodeJwt, registerUser, TokenPairBody } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { claims, forgeJwt, segment, Signature } from './utils/forge-jwt';
import { listenLocal, rawRequest } from './utils/raw-http';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from './utils/test-env';

/**
 * Hostile JWTs (RFC 8725) against both verifiers: the bearer guard (GET /api/users/me) and the
 * refresh guard (POST /api/auth/refresh, token in the body and in the cookie). Every answer is
 * a 401 with the route's own code, never a 500 and never a success. auth.e2e-spec.ts and
 * refresh-rotation.e2e-spec.ts hold the basic cases (one alg none, HS512, wrong iss/aud/typ,
 * wrong secret); this file goes through the variants on both routes.
 *
 * Decision on `kid`/`jku`/`x5u`/`jwk`/`x5c`: the server has one key per token kind and never
 * looks at these header parameters (RFC 7515 §4 lets a recipient ignore them; RFC 8725 §3.10
 * warns against fetching them), so a token is judged only by our key and claims. A token
 * validly signed with our key that carries them is therefore accepted as an access token; as a
 * refresh token it is refused like any re-signed refresh token, because only the exact string
 * the server issued (compared by hash) can refresh. Signed with the key they point at, it is
 * token_invalid. A local HTTP server stands where they point, and must see no connection.
 */

type Outcome = 'invalid' | 'expired' | 'accepted';

interface Target {
  label: string;
  secret: string;
  otherSecret: string;
  typ: string;
  /** sub, sid, jti (and roles for access tokens) of a live session of `victim`. */
  base: () => Record<string, unknown>;
  send: (token: string) => Promise<Response>;
  expectOutcome: (res: Response, outcome: Outcome) => void;
}

const ATTACKER_SECRET = 'attacker-secret-0123456789-abcdefghijklmnopq';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerJwk = rsa.publicKey.export({ format: 'jwk' });

function expectError(res: Response, status: number, code: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { statusCode: status, error: expect.any(String), code, message: expect.any(String) },
  });
}

describe('hostile tokens (e2e)', () => {
  let t: TestApp;
  let port: number;
  /** The victim's live session: its tokens must keep working after every hostile attempt. */
  let victim: TokenPairBody;
  let other: TokenPairBody;

  // Where kid/jku/x5u point: it would serve the attacker's keys, and must never be asked.
  let keyServer: Server;
  let keyServerUrl: string;
  const outbound: string[] = [];

  beforeAll(async () => {
    keyServer = createServer((req, res) => {
      outbound.push(`request ${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [attackerJwk, { kty: 'oct', k: segment(ATTACKER_SECRET) }] }));
    });
    keyServer.on('connection', (socket: Socket) => {
      outbound.push(`connection from ${socket.remotePort}`);
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    keyServerUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;

    // A short session-cache bound: one case deletes a row behind the service's back.
    t = await createTestApp({ SESSION_CACHE_MAX_STALENESS: '100ms' });
    port = await listenLocal(t);
    victim = (await registerUser(t.http)).pair;
    other = (await registerUser(t.http)).pair;
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => keyServer.close(resolve));
  });

  const accessBase = () => {
    const { sub, sid, roles } = decodeJwt(victim.accessToken);
    return { sub, sid, roles, jti: randomUUID() };
  };
  const refreshBase = () => {
    const { sub, sid, jti } = decodeJwt(victim.refreshToken);
    return { sub, sid, jti };
  };

  const targets: Target[] = [
    {
      label: 'bearer (GET /api/users/me)',
      secret: TEST_ACCESS_SECRET,
      otherSecret: TEST_REFRESH_SECRET,
      typ: 'at+jwt',
      base: accessBase,
      send: (token) => t.http().get('/api/users/me').set(bearer(token)),
      expectOutcome: (res, outcome) => {
        if (outcome === 'accepted') {
          expect({ status: res.status, id: res.body.id }).toEqual({
            status: 200,
            id: victim.user.id,
          });
          return;
        }
        expectError(res, 401, outcome === 'expired' ? 'token_expired' : 'token_invalid');
        expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
      },
    },
    ...(['body', 'cookie'] as const).map((channel): Target => ({
      label: `refresh (POST /api/auth/refresh, ${channel})`,
      secret: TEST_REFRESH_SECRET,
      otherSecret: TEST_ACCESS_SECRET,
      typ: 'rt+jwt',
      base: refreshBase,
      send: (token) =>
        channel === 'body'
          ? t.http().post('/api/auth/refresh').send({ refreshToken: token })
          : t.http().post('/api/auth/refresh').set('Cookie', `refresh_token=${token}`),
      expectOutcome: (res, outcome) =>
        // A validly signed refresh token that is not the exact string the server issued
        // cannot refresh: 'accepted' (by the signature check) is still refresh_token_invalid.
        expectError(
          res,
          401,
          outcome === 'expired' ? 'refresh_token_expired' : 'refresh_token_invalid',
        ),
    })),
  ];

  /** A header of this token kind with `extra` merged in (undefined values drop a field). */
  const header = (k: Target, extra: Record<string, unknown> = {}) => ({
    alg: 'HS256',
    typ: k.typ,
    ...extra,
  });
  const ours = (k: Target): Signature => ({ hmac: 'sha256', key: k.secret });
  const signed = (k: Target, head: unknown, payload: unknown = claims(k.base())) =>
    forgeJwt(head, payload, ours(k));
  const past = () => Math.floor(Date.now() / 1000) - 60;

  const cases: [string, Outcome, (k: Target) => string][] = [
    // alg none, every casing, with and without a signature segment.
    ...['none', 'None', 'NONE', 'nOnE'].flatMap(
      (alg): [string, Outcome, (k: Target) => string][] => [
        [
          `alg ${alg}, empty signature`,
          'invalid',
          (k) => forgeJwt(header(k, { alg }), claims(k.base()), { none: true }),
        ],
        [
          `alg ${alg}, no signature segment`,
          'invalid',
          (k) => forgeJwt(header(k, { alg }), claims(k.base()), { none: true }).slice(0, -1),
        ],
        [
          `alg ${alg}, with our valid HS256 signature`,
          'invalid',
          (k) => signed(k, header(k, { alg })),
        ],
        [
          `alg ${alg}, with a junk signature`,
          'invalid',
          (k) => forgeJwt(header(k, { alg }), claims(k.base()), { raw: 'AAAA' }),
        ],
      ],
    ),
    // Algorithms other than the pinned HS256, all with our secret.
    [
      'HS384 signed with our secret',
      'invalid',
      (k) =>
        forgeJwt(header(k, { alg: 'HS384' }), claims(k.base()), { hmac: 'sha384', key: k.secret }),
    ],
    [
      'HS512 signed with our secret',
      'invalid',
      (k) =>
        forgeJwt(header(k, { alg: 'HS512' }), claims(k.base()), { hmac: 'sha512', key: k.secret }),
    ],
    [
      'HS256 header over an HMAC-SHA512 signature',
      'invalid',
      (k) => forgeJwt(header(k), claims(k.base()), { hmac: 'sha512', key: k.secret }),
    ],
    [
      'RS256 header, HMAC-SHA256 over our secret (key confusion)',
      'invalid',
      (k) => signed(k, header(k, { alg: 'RS256' })),
    ],
    [
      'ES256 header, HMAC-SHA256 over our secret',
      'invalid',
      (k) => signed(k, header(k, { alg: 'ES256' })),
    ],
    [
      'PS256 header, HMAC-SHA256 over our secret',
      'invalid',
      (k) => signed(k, header(k, { alg: 'PS256' })),
    ],
    [
      'alg hs256 in lower case with our valid signature',
      'invalid',
      (k) => signed(k, header(k, { alg: 'hs256' })),
    ],
    ['no alg with our valid signature', 'invalid', (k) => signed(k, { typ: k.typ })],
    [
      'alg ["HS256"] (an array) with our valid signature',
      'invalid',
      (k) => signed(k, header(k, { alg: ['HS256'] })),
    ],
    [
      'RS256 signed by an attacker key embedded as jwk',
      'invalid',
      (k) =>
        forgeJwt(header(k, { alg: 'RS256', jwk: attackerJwk }), claims(k.base()), {
          rsa: rsa.privateKey,
        }),
    ],
    [
      'HS256 with the other token kind\u2019s secret',
      'invalid',
      (k) => forgeJwt(header(k), claims(k.base()), { hmac: 'sha256', key: k.otherSecret }),
    ],
    [
      'HS256 with an empty secret',
      'invalid',
      (k) => forgeJwt(header(k), claims(k.base()), { hmac: 'sha256', key: '' }),
    ],
    // Claims.
    ['no exp', 'invalid', (k) => signed(k, header(k), claims(k.base(), { exp: undefined }))],
    [
      'exp as a string',
      'invalid',
      (k) => signed(k, header(k), claims(k.base(), { exp: '9999999999' })),
    ],
    ['no sub', 'invalid', (k) => signed(k, header(k), claims(k.base(), { sub: undefined }))],
    ['sub as a number', 'invalid', (k) => signed(k, header(k), claims(k.base(), { sub: 42 }))],
    [
      'sub of another user on this session',
      'invalid',
      (k) => signed(k, header(k), claims(k.base(), { sub: other.user.id })),
    ],
    [
      'nbf in the future',
      'invalid',
      (k) => signed(k, header(k), claims(k.base(), { nbf: Math.floor(Date.now() / 1000) + 3600 })),
    ],
    [
      'exp in the past, our valid signature, a jti never issued',
      'expired',
      (k) => signed(k, header(k), claims(k.base(), { exp: past(), jti: randomUUID() })),
    ],
    [
      'exp in the past with alg none',
      'invalid',
      (k) =>
        forgeJwt(header(k, { alg: 'none' }), claims(k.base(), { exp: past() }), { none: true }),
    ],
    // Structure.
    [
      'two segments of a genuine-looking token',
      'invalid',
      (k) => signed(k, header(k)).split('.').slice(0, 2).join('.'),
    ],
    ['four segments (a valid token plus one)', 'invalid', (k) => `${signed(k, header(k))}.AAAA`],
    [
      'five segments (JWE-shaped, alg dir)',
      'invalid',
      (k) =>
        [
          segment({ alg: 'dir', enc: 'A256GCM', typ: k.typ }),
          '',
          'AAAA',
          segment(claims(k.base())),
          'AAAA',
        ].join('.'),
    ],
    ['only dots', 'invalid', () => '...'],
    [
      'standard base64 with padding instead of base64url',
      'invalid',
      (k) => {
        const [h, p, s] = signed(k, header(k)).split('.');
        return `${h}.${p}.${Buffer.from(s, 'base64url').toString('base64')}`;
      },
    ],
    ['a header that is a JSON string', 'invalid', (k) => signed(k, JSON.stringify('HS256'))],
    ['a header that is not JSON', 'invalid', (k) => signed(k, '{alg:HS256')],
    [
      'a payload that is a JSON array',
      'invalid',
      (k) => signed(k, header(k), JSON.stringify([claims(k.base())])),
    ],
    ['a payload that is a JSON number', 'invalid', (k) => signed(k, header(k), '12345')],
    ['a payload that is not JSON', 'invalid', (k) => signed(k, header(k), 'sub=admin')],
    [
      'a 12 kB junk token',
      'invalid',
      () => `${'a'.repeat(4000)}.${'b'.repeat(4000)}.${'c'.repeat(4000)}`,
    ],
    // RFC 7515 §4.1.11: a recipient must reject a token whose `crit` names an extension it
    // does not understand; this server understands none. Signed with our key, so only the
    // header decides.
    [
      'crit naming an extension, signed with our key',
      'invalid',
      (k) => signed(k, header(k, { crit: ['http://example.com/must-understand'] })),
    ],
    ['crit empty, signed with our key', 'invalid', (k) => signed(k, header(k, { crit: [] }))],
    // Header parameters that name a key elsewhere: never fetched, never trusted.
    ...(
      [
        ['kid as a URL', () => ({ kid: `${keyServerUrl}/kid` })],
        ['jku', () => ({ jku: `${keyServerUrl}/jwks.json` })],
        ['x5u', () => ({ x5u: `${keyServerUrl}/cert.pem` })],
        [
          'jwk (an attacker symmetric key)',
          () => ({ jwk: { kty: 'oct', k: segment(ATTACKER_SECRET) } }),
        ],
        ['x5c', () => ({ x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] })],
        ['kid as a path (../../dev/null)', () => ({ kid: '../../../../../../dev/null' })],
        ['kid as SQL', () => ({ kid: "' UNION SELECT 'attacker-secret' --" })],
        [
          'all of kid, jku, x5u, jwk at once',
          () => ({
            kid: `${keyServerUrl}/kid`,
            jku: `${keyServerUrl}/jwks.json`,
            x5u: `${keyServerUrl}/x5u`,
            jwk: attackerJwk,
          }),
        ],
        ['a __proto__ header member', () => JSON.parse('{"__proto__":{"alg":"none"}}')],
      ] as [string, () => Record<string, unknown>][]
    ).flatMap(([label, extra]): [string, Outcome, (k: Target) => string][] => [
      [`${label}, signed with our key`, 'accepted', (k) => signed(k, header(k, extra()))],
      [
        `${label}, signed with the attacker key it points at`,
        'invalid',
        (k) =>
          forgeJwt(header(k, extra()), claims(k.base()), { hmac: 'sha256', key: ATTACKER_SECRET }),
      ],
      [
        `${label}, alg none`,
        'invalid',
        (k) => forgeJwt(header(k, { ...extra(), alg: 'none' }), claims(k.base()), { none: true }),
      ],
    ]),
  ];

  describe.each(targets)('on $label', (k) => {
    it.each(cases)('%s → %s', async (_label, outcome, forge) => {
      const res = await k.send(forge(k));
      k.expectOutcome(res, outcome);
      expect(outbound).toEqual([]);
    });

    it('the genuine token of the session still works afterwards (nothing above spent or revoked it)', async () => {
      if (k.typ === 'at+jwt') {
        k.expectOutcome(await k.send(victim.accessToken), 'accepted');
        return;
      }
      const res = await k.send(victim.refreshToken);
      expect(res.status).toBe(200);
      victim = res.body as TokenPairBody;
    });
  });

  describe('oversized tokens', () => {
    it('a 20 kB bearer token is 431 headers_too_large (Node\u2019s header limit), in the error shape', async () => {
      for (const size of [20 * 1024, 100 * 1024]) {
        const res = await rawRequest(port, 'GET', '/api/users/me', {
          Authorization: `Bearer ${'a'.repeat(size)}`,
        });
        expect(res.status).toBe(431);
        expect(JSON.parse(res.body)).toEqual({
          statusCode: 431,
          error: expect.any(String),
          code: 'headers_too_large',
          message: expect.any(String),
        });
      }
    });

    it('a 20 kB refresh cookie is 431 headers_too_large too', async () => {
      const res = await rawRequest(port, 'POST', '/api/auth/refresh', {
        Cookie: `refresh_token=${'a'.repeat(20 * 1024)}`,
      });
      expect(res.status).toBe(431);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 431, code: 'headers_too_large' });
    });

    it.each([20, 90])(
      'a %s kB refresh token in the body is refresh_token_invalid, validly signed or not',
      async (kb) => {
        const padding = 'p'.repeat(kb * 760);
        const k = targets[1];
        const token = signed(k, header(k), claims(k.base(), { pad: padding }));
        expect(token.length).toBeGreaterThan(kb * 1000);
        expectError(await k.send(token), 401, 'refresh_token_invalid');
        expectError(await k.send('x'.repeat(kb * 1000)), 401, 'refresh_token_invalid');
      },
    );

    it('a 12 kB access token validly signed with our key is judged by its claims like any other', async () => {
      const k = targets[0];
      const padding = 'p'.repeat(9000);
      const token = signed(k, header(k), claims(k.base(), { pad: padding }));
      expect(token.length).toBeGreaterThan(12 * 1000);
      k.expectOutcome(await k.send(token), 'accepted');
      const expired = signed(k, header(k), claims(k.base(), { pad: padding, exp: past() }));
      k.expectOutcome(await k.send(expired), 'expired');
    });
  });

  describe('the token of a deleted user', () => {
    it('answers token_invalid and refresh_token_invalid, for its own tokens and any forged with our keys', async () => {
      const gone = (await registerUser(t.http)).pair;
      const live = (await registerUser(t.http)).pair;
      await t.http().get('/api/users/me').set(bearer(gone.accessToken)).expect(200);
      // There is no route that deletes a user: the row goes directly (sessions cascade).
      await t.dataSource.query('DELETE FROM users WHERE id = ?', [gone.user.id]);
      // No service call saw the delete, so no invalidation: the cached session is believed
      // until the staleness bound (SESSION_CACHE_MAX_STALENESS) passes, then read again.
      await new Promise((resolve) => setTimeout(resolve, 150));

      const { sid } = decodeJwt(gone.accessToken);
      const liveSid = decodeJwt(live.accessToken).sid;
      const access = [
        gone.accessToken,
        forgeJwt(
          { alg: 'HS256', typ: 'at+jwt' },
          claims({ sub: gone.user.id, sid, roles: ['admin'] }),
          {
            hmac: 'sha256',
            key: TEST_ACCESS_SECRET,
          },
        ),
        forgeJwt(
          { alg: 'HS256', typ: 'at+jwt' },
          claims({ sub: gone.user.id, sid: liveSid, roles: ['user'] }),
          {
            hmac: 'sha256',
            key: TEST_ACCESS_SECRET,
          },
        ),
      ];
      for (const token of access) {
        const res = await t.http().get('/api/users/me').set(bearer(token));
        expectError(res, 401, 'token_invalid');
      }
      const { jti } = decodeJwt(gone.refreshToken);
      const refresh = [
        gone.refreshToken,
        forgeJwt({ alg: 'HS256', typ: 'rt+jwt' }, claims({ sub: gone.user.id, sid, jti }), {
          hmac: 'sha256',
          key: TEST_REFRESH_SECRET,
        }),
      ];
      for (const token of refresh) {
        const res = await t.http().post('/api/auth/refresh').send({ refreshToken: token });
        expectError(res, 401, 'refresh_token_invalid');
      }
      // Logout with it is the idempotent 204 or a 401, never a 500.
      const logout = await t
        .http()
        .post('/api/auth/logout')
        .send({ refreshToken: gone.refreshToken });
      expect([204, 401]).toContain(logout.status);
      // The other user's session is untouched.
      await t.http().get('/api/users/me').set(bearer(live.accessToken)).expect(200);
    });
  });

  describe('the last character of a token, every alternative', () => {
    /**
     * A 32-byte HS256 signature is 43 base64url characters: the last one carries 4 bits of
     * signature and 2 padding bits, so three other characters decode to the very same bytes.
     * jws compares the base64url text, not the decoded bytes, so those are refused too; and
     * were they accepted, a revoked session would still answer token_revoked.
     */
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variants = (token: string) =>
      [...ALPHABET].filter((c) => c !== token.at(-1)).map((c) => token.slice(0, -1) + c);
    const sameBytes = (a: string, b: string) =>
      Buffer.from(a.split('.')[2], 'base64url').equals(Buffer.from(b.split('.')[2], 'base64url'));

    it('of a live access token: none of the 63 validates; 3 of them decode to the same signature', async () => {
      const { pair } = await registerUser(t.http);
      const all = variants(pair.accessToken);
      expect(all.filter((v) => sameBytes(v, pair.accessToken))).toHaveLength(3);
      for (const variant of all) {
        expectError(await t.http().get('/api/users/me').set(bearer(variant)), 401, 'token_invalid');
      }
      await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    });

    it('of a revoked session\u2019s tokens: the originals say revoked, the variants invalid, none succeeds', async () => {
      const { pair } = await registerUser(t.http);
      await t.http().post('/api/auth/logout').send({ refreshToken: pair.refreshToken }).expect(204);
      expectError(
        await t.http().get('/api/users/me').set(bearer(pair.accessToken)),
        401,
        'token_revoked',
      );
      const spent = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: pair.refreshToken });
      expectError(spent, 401, 'refresh_token_revoked');

      expect(
        variants(pair.refreshToken).filter((v) => sameBytes(v, pair.refreshToken)),
      ).toHaveLength(3);
      for (const variant of variants(pair.accessToken)) {
        expectError(await t.http().get('/api/users/me').set(bearer(variant)), 401, 'token_invalid');
      }
      for (const variant of variants(pair.refreshToken)) {
        const res = await t.http().post('/api/auth/refresh').send({ refreshToken: variant });
        expectError(res, 401, 'refresh_token_invalid');
      }
    });
  });

  it('no request ever left the server for a kid/jku/x5u/jwk URL', () => {
    expect(outbound).toEqual([]);
  });
});
