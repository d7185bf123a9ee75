import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import {
  bearer,
  decodeJwt,
  DEFAULT_PASSWORD,
  expectSessionEnded,
  login,
  registerUser,
  signTestToken,
  TokenPairBody,
  uniqueEmail,
} from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { TEST_ACCESS_SECRET } from './utils/test-env';

const ISSUER = 'nest-auth-service';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOO_LONG_ASCII = 'a'.repeat(73);
/** 37 characters, 74 UTF-8 bytes: within a character count of 72, over bcrypt's byte limit. */
const TOO_LONG_MULTIBYTE = 'é'.repeat(37);
/** Exactly 72 UTF-8 bytes (36 characters): the largest accepted password. */
const MAX_MULTIBYTE = 'é'.repeat(36);

const decodeHeader = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function setCookies(res: Response): string[] {
  const header = res.headers['set-cookie'] as string[] | string | undefined;
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

function refreshCookie(res: Response): string | undefined {
  return setCookies(res).find((cookie) => cookie.startsWith('refresh_token='));
}

/** Claims of a live session, to forge tokens that differ from a valid one in one respect only. */
function claimsOf(pair: TokenPairBody) {
  const { sub, sid, roles } = decodeJwt(pair.accessToken);
  return { sub, sid, roles };
}

function expectTokenPair(body: TokenPairBody) {
  expect(body).toMatchObject({
    tokenType: 'Bearer',
    accessToken: expect.any(String),
    expiresIn: 900,
    refreshToken: expect.any(String),
    refreshExpiresIn: 604800,
    user: {
      id: expect.stringMatching(UUID),
      email: expect.any(String),
      roles: ['user'],
      createdAt: expect.any(String),
    },
  });
}

describe('auth (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http().get('/api/users/me').set(bearer(token));

  describe('POST /api/auth/register', () => {
    it('answers 201 with a token pair, no-store headers and the refresh cookie', async () => {
      const email = uniqueEmail('reg');
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ email, password: DEFAULT_PASSWORD, name: 'Ann' });

      expect(res.status).toBe(201);
      expectTokenPair(res.body);
      expect(res.body.user).toEqual({
        id: expect.stringMatching(UUID),
        email,
        name: 'Ann',
        roles: ['user'],
        emailVerified: false,
        createdAt: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|\$2[aby]\$/i);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');

      const cookie = refreshCookie(res);
      expect(cookie).toBeDefined();
      expect(cookie).toContain(`refresh_token=${res.body.refreshToken};`);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Strict/i);
      expect(cookie).toMatch(/;\s*Path=\/api\/auth(;|$)/i);
      expect(cookie).not.toMatch(/;\s*Secure/i);

      await me(res.body.accessToken).expect(200);
    });

    it('sets name to null when it is omitted', async () => {
      const { pair } = await registerUser(t.http);
      expect(pair.user.name).toBeNull();
    });

    it('trims and lower-cases the email', async () => {
      const local = `Mixed-${randomUUID().slice(0, 8)}`;
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ email: `  ${local}@Example.COM  `, password: DEFAULT_PASSWORD })
        .expect(201);
      expect(res.body.user.email).toBe(`${local.toLowerCase()}@example.com`);
    });

    it('answers 409 email_taken for an email already in use, whatever its case or whitespace', async () => {
      const { email } = await registerUser(t.http);
      for (const variant of [email, email.toUpperCase(), `  ${email}\t`]) {
        const res = await t
          .http()
          .post('/api/auth/register')
          .send({ email: variant, password: DEFAULT_PASSWORD });
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'email_taken' });
        expect(typeof res.body.message).toBe('string');
      }
    });

    it.each([
      ['a malformed email', { email: 'not-an-email', password: DEFAULT_PASSWORD }, 'email'],
      ['a short password', { email: uniqueEmail(), password: 'short' }, 'password'],
      [
        'an unknown field',
        { email: uniqueEmail(), password: DEFAULT_PASSWORD, isAdmin: true },
        'isAdmin',
      ],
      ['a non-string name', { email: uniqueEmail(), password: DEFAULT_PASSWORD, name: 42 }, 'name'],
      [
        'a name over 100 characters',
        { email: uniqueEmail(), password: DEFAULT_PASSWORD, name: 'n'.repeat(101) },
        'name',
      ],
      ['an empty name', { email: uniqueEmail(), password: DEFAULT_PASSWORD, name: '' }, 'name'],
      ['a missing password', { email: uniqueEmail() }, 'password'],
    ])('answers 400 validation_failed for %s, naming the field', async (_label, body, field) => {
      const res = await t.http().post('/api/auth/register').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        code: 'validation_failed',
      });
      expect(Array.isArray(res.body.message)).toBe(true);
      expect(res.body.message.some((m: string) => m.includes(field))).toBe(true);
    });

    it('accepts a name of exactly 100 characters', async () => {
      const { pair } = await registerUser(t.http, { name: 'n'.repeat(100) });
      expect(pair.user.name).toBe('n'.repeat(100));
    });

    it.each([
      ['73 ASCII bytes', TOO_LONG_ASCII],
      ['37 two-byte characters (74 bytes)', TOO_LONG_MULTIBYTE],
    ])('answers 400 password_too_long for a password of %s', async (_label, password) => {
      const email = uniqueEmail();
      const res = await t.http().post('/api/auth/register').send({ email, password });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'password_too_long' });
      // Nothing was created: the same email registers fine afterwards.
      await t
        .http()
        .post('/api/auth/register')
        .send({ email, password: DEFAULT_PASSWORD })
        .expect(201);
    });

    it('accepts a password of exactly 72 UTF-8 bytes and logs in with it', async () => {
      const { email } = await registerUser(t.http, { password: MAX_MULTIBYTE });
      await login(t.http, email, MAX_MULTIBYTE);
    });
  });

  describe('POST /api/auth/login', () => {
    it('answers 200 with a token pair of a new session', async () => {
      const { email, password, pair: registered } = await registerUser(t.http, { name: 'Lo' });
      const res = await t.http().post('/api/auth/login').send({ email, password });
      expect(res.status).toBe(200);
      expectTokenPair(res.body);
      expect(res.body.user).toEqual(registered.user);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      expect(refreshCookie(res)).toContain(`refresh_token=${res.body.refreshToken};`);
      expect(decodeJwt(res.body.accessToken).sid).not.toBe(decodeJwt(registered.accessToken).sid);
      await me(res.body.accessToken).expect(200);
    });

    it('matches the email whatever its case and surrounding whitespace', async () => {
      const { email, password, pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/login')
        .send({ email: `  ${email.toUpperCase()} `, password });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(pair.user.id);
    });

    it('answers 401 invalid_credentials, with the same body, for a wrong password and an unknown email', async () => {
      const { email } = await registerUser(t.http);
      const wrong = await t
        .http()
        .post('/api/auth/login')
        .send({ email, password: 'wrong password!' });
      const unknown = await t
        .http()
        .post('/api/auth/login')
        .send({ email: uniqueEmail('ghost'), password: DEFAULT_PASSWORD });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'invalid_credentials',
      });
      expect(unknown.status).toBe(401);
      // Alike but for requestId, which every answer has its own of.
      expect({ ...unknown.body, requestId: 'id' }).toEqual({ ...wrong.body, requestId: 'id' });
      expect(refreshCookie(wrong)).toBeUndefined();
    });

    it.each([
      ['a non-string email', { email: 12345, password: DEFAULT_PASSWORD }, ['email']],
      ['a non-string password', { email: 'someone@example.com', password: 12345678 }, ['password']],
      [
        'an object as password',
        { email: 'someone@example.com', password: { $ne: '' } },
        ['password'],
      ],
      ['missing fields', {}, ['email', 'password']],
      [
        'an unknown field',
        { email: 'someone@example.com', password: DEFAULT_PASSWORD, remember: true },
        ['remember'],
      ],
    ])(
      'answers 400 validation_failed for %s (validated before Passport)',
      async (_label, body, fields) => {
        const res = await t.http().post('/api/auth/login').send(body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
        expect(Array.isArray(res.body.message)).toBe(true);
        for (const field of fields) {
          expect(res.body.message.some((m: string) => m.includes(field))).toBe(true);
        }
      },
    );

    it.each([
      ['73 ASCII bytes', TOO_LONG_ASCII],
      ['37 two-byte characters (74 bytes)', TOO_LONG_MULTIBYTE],
    ])('answers 400 password_too_long for a password of %s', async (_label, password) => {
      const { email } = await registerUser(t.http);
      const res = await t.http().post('/api/auth/login').send({ email, password });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'password_too_long' });
    });
  });

  describe('access token', () => {
    it('is an HS256 at+jwt with a kid, and sub, sid, roles, iss, aud, iat, exp and jti', async () => {
      const { pair } = await registerUser(t.http);
      expect(decodeHeader(pair.accessToken)).toEqual({
        alg: 'HS256',
        typ: 'at+jwt',
        kid: expect.stringMatching(/^hs256-[A-Za-z0-9_-]{16}$/),
      });
      const claims = decodeJwt(pair.accessToken);
      expect(claims).toEqual({
        sub: pair.user.id,
        sid: expect.stringMatching(UUID),
        roles: ['user'],
        // How and when the session was proven (RFC 8176, OIDC): a password, at login.
        amr: ['pwd'],
        auth_time: expect.any(Number),
        iss: ISSUER,
        aud: ISSUER,
        iat: expect.any(Number),
        exp: expect.any(Number),
        jti: expect.any(String),
      });
      expect(claims.exp - claims.iat).toBe(900);
      expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);

      const again = await login(t.http, pair.user.email, DEFAULT_PASSWORD);
      expect(decodeJwt(again.accessToken).jti).not.toBe(claims.jti);
    });

    it('accepts a token forged with the test secret and right claims (control for the cases below)', async () => {
      const { pair } = await registerUser(t.http);
      await me(signTestToken(claimsOf(pair))).expect(200);
    });

    describe('GET /api/users/me without a Bearer token answers 401 token_missing', () => {
      it.each([
        ['no Authorization header', {}],
        [
          'Basic credentials',
          { Authorization: `Basic ${Buffer.from('a@example.com:password1').toString('base64')}` },
        ],
      ])('with %s', async (_label, headers) => {
        const res = await t.http().get('/api/users/me').set(headers);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({
          statusCode: 401,
          error: 'Unauthorized',
          code: 'token_missing',
        });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
      });

      it('with the token in the query string (never read from there)', async () => {
        const { pair } = await registerUser(t.http);
        const res = await t.http().get(`/api/users/me?access_token=${pair.accessToken}`);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401, code: 'token_missing' });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
      });

      it('with the token only in a cookie (never read from there)', async () => {
        const { pair } = await registerUser(t.http);
        const res = await t
          .http()
          .get('/api/users/me')
          .set('Cookie', `access_token=${pair.accessToken}; accessToken=${pair.accessToken}`);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401, code: 'token_missing' });
      });
    });

    describe('GET /api/users/me answers 401 token_invalid', () => {
      let pair: TokenPairBody;
      beforeAll(async () => {
        ({ pair } = await registerUser(t.http));
      });

      const cases: [string, () => string][] = [
        ['garbage', () => 'not.a.jwt'],
        [
          'a bad signature',
          () =>
            signTestToken(claimsOf(pair), { key: 'another-secret-0123456789-abcdefghijklmnop' }),
        ],
        [
          'a tampered payload',
          () => {
            const [header, , signature] = pair.accessToken.split('.');
            const payload = { ...decodeJwt(pair.accessToken), roles: ['user', 'admin'] };
            return `${header}.${b64url(payload)}.${signature}`;
          },
        ],
        [
          'alg none',
          () => {
            const now = Math.floor(Date.now() / 1000);
            const payload = {
              ...claimsOf(pair),
              iss: ISSUER,
              aud: ISSUER,
              iat: now,
              exp: now + 900,
              jti: randomUUID(),
            };
            return `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(payload)}.`;
          },
        ],
        [
          'alg HS512',
          () =>
            signTestToken(claimsOf(pair), {
              algorithm: 'HS512',
              header: { alg: 'HS512', typ: 'at+jwt' },
            }),
        ],
        [
          'typ JWT instead of at+jwt',
          () => signTestToken(claimsOf(pair), { header: { alg: 'HS256', typ: 'JWT' } }),
        ],
        ['no typ', () => signTestToken(claimsOf(pair), { header: { alg: 'HS256' } })],
        ['a wrong issuer', () => signTestToken(claimsOf(pair), { issuer: 'someone-else' })],
        ['a wrong audience', () => signTestToken(claimsOf(pair), { audience: 'someone-else' })],
        [
          'no exp',
          () =>
            jwt.sign(claimsOf(pair), TEST_ACCESS_SECRET, {
              algorithm: 'HS256',
              header: { alg: 'HS256', typ: 'at+jwt' },
              issuer: ISSUER,
              audience: ISSUER,
            }),
        ],
        ['a refresh token', () => pair.refreshToken],
        ['an unknown session id', () => signTestToken({ ...claimsOf(pair), sid: randomUUID() })],
      ];

      it.each(cases)(
        'for %s, with WWW-Authenticate error="invalid_token"',
        async (_label, forge) => {
          const res = await me(forge());
          expect(res.status).toBe(401);
          expect(res.body).toMatchObject({
            statusCode: 401,
            error: 'Unauthorized',
            code: 'token_invalid',
          });
          expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
        },
      );

      it('while the genuine token of that session still works', async () => {
        await me(pair.accessToken).expect(200);
      });
    });

    it('answers 401 token_expired for a token past exp, with WWW-Authenticate error="invalid_token"', async () => {
      const { pair } = await registerUser(t.http);
      const res = await me(signTestToken(claimsOf(pair), { expiresIn: -10 }));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'token_expired' });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    });
  });

  describe('POST /api/auth/logout', () => {
    it('answers 204, clears the cookie, and ends that session only', async () => {
      const { email, password, pair } = await registerUser(t.http);
      const other = await login(t.http, email, password);

      const res = await t.http().post('/api/auth/logout').send({ refreshToken: pair.refreshToken });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const cookie = refreshCookie(res);
      expect(cookie).toBeDefined();
      expect(cookie).toMatch(/^refresh_token=;/);
      expect(cookie).toMatch(/;\s*Path=\/api\/auth(;|$)/i);
      const maxAgeZero = /;\s*Max-Age=0(;|$)/i.test(cookie!);
      const expires = /;\s*Expires=([^;]+)/i.exec(cookie!)?.[1];
      const expiredDate = expires !== undefined && new Date(expires).getTime() < Date.now();
      expect(maxAgeZero || expiredDate).toBe(true);

      const access = await me(pair.accessToken);
      expect(access.status).toBe(401);
      expect(access.body).toMatchObject({ statusCode: 401, code: 'token_revoked' });
      expect(access.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');

      const refresh = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: pair.refreshToken });
      expect(refresh.status).toBe(401);
      expect(refresh.body).toMatchObject({ statusCode: 401, code: 'refresh_token_revoked' });

      await me(other.accessToken).expect(200);
    });

    it('is idempotent: the same token again answers 204', async () => {
      const { pair } = await registerUser(t.http);
      await t.http().post('/api/auth/logout').send({ refreshToken: pair.refreshToken }).expect(204);
      const again = await t
        .http()
        .post('/api/auth/logout')
        .send({ refreshToken: pair.refreshToken });
      expect(again.status).toBe(204);
      expect(refreshCookie(again)).toMatch(/^refresh_token=;/);
    });

    it('takes the refresh token from the cookie', async () => {
      const { pair } = await registerUser(t.http);
      await t
        .http()
        .post('/api/auth/logout')
        .set('Cookie', `refresh_token=${pair.refreshToken}`)
        .expect(204);
      const access = await me(pair.accessToken);
      expect(access.status).toBe(401);
      expect(access.body).toMatchObject({ code: 'token_revoked' });
    });

    it('answers 401 refresh_token_missing without a token and refresh_token_invalid for garbage', async () => {
      const missing = await t.http().post('/api/auth/logout');
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ statusCode: 401, code: 'refresh_token_missing' });
      const invalid = await t.http().post('/api/auth/logout').send({ refreshToken: 'garbage' });
      expect(invalid.status).toBe(401);
      expect(invalid.body).toMatchObject({ statusCode: 401, code: 'refresh_token_invalid' });
    });
  });

  describe('POST /api/auth/logout-all', () => {
    it("answers 204 and ends every session of the user, and no one else's", async () => {
      const { email, password, pair: first } = await registerUser(t.http);
      const second = await login(t.http, email, password);
      const third = await login(t.http, email, password);
      const stranger = await registerUser(t.http);

      const res = await t.http().post('/api/auth/logout-all').set(bearer(second.accessToken));
      expect(res.status).toBe(204);

      for (const pair of [first, second, third]) await expectSessionEnded(t.http, pair);
      await me(stranger.pair.accessToken).expect(200);
      await login(t.http, email, password);
    });

    it('answers 401 token_missing without a Bearer token', async () => {
      const res = await t.http().post('/api/auth/logout-all');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'token_missing' });
    });
  });

  describe('sessions', () => {
    it("GET /api/auth/sessions lists the active sessions only, marking the caller's as current", async () => {
      const { email, password, pair: first } = await registerUser(t.http);
      const longAgent = `Agent/${'x'.repeat(300)}`;
      const second = (
        await t
          .http()
          .post('/api/auth/login')
          .set('User-Agent', 'Browser-B/1.0')
          .send({ email, password })
          .expect(200)
      ).body as TokenPairBody;
      const third = (
        await t
          .http()
          .post('/api/auth/login')
          .set('User-Agent', longAgent)
          .send({ email, password })
          .expect(200)
      ).body as TokenPairBody;
      const ended = await login(t.http, email, password);
      await t
        .http()
        .post('/api/auth/logout')
        .send({ refreshToken: ended.refreshToken })
        .expect(204);
      await registerUser(t.http); // someone else's session must not appear

      const res = await t.http().get('/api/auth/sessions').set(bearer(second.accessToken));
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);

      const sid = (pair: TokenPairBody) => decodeJwt(pair.accessToken).sid as string;
      const ids = (res.body as { id: string }[]).map((s) => s.id).sort();
      expect(ids).toEqual([sid(first), sid(second), sid(third)].sort());

      for (const session of res.body) {
        expect(Object.keys(session).sort()).toEqual(
          ['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'userAgent'].sort(),
        );
        expect(session.current).toBe(session.id === sid(second));
        expect(typeof session.ip).toBe('string');
        expect(session.ip).toMatch(/127\.0\.0\.1$|^::1$/);
        for (const field of ['createdAt', 'lastUsedAt', 'expiresAt']) {
          expect(new Date(session[field]).toISOString()).toBe(session[field]);
        }
        expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.parse(session.createdAt));
      }
      const byId = new Map(
        (res.body as { id: string; userAgent: string | null }[]).map((s) => [s.id, s]),
      );
      expect(byId.get(sid(second))?.userAgent).toBe('Browser-B/1.0');
      expect(byId.get(sid(third))?.userAgent).toBe(longAgent.slice(0, 255));
    });

    it("DELETE /api/auth/sessions/:id answers 204 and ends that session's tokens", async () => {
      const { email, password, pair: caller } = await registerUser(t.http);
      const target = await login(t.http, email, password);
      const targetSid = decodeJwt(target.accessToken).sid as string;

      const res = await t
        .http()
        .delete(`/api/auth/sessions/${targetSid}`)
        .set(bearer(caller.accessToken));
      expect(res.status).toBe(204);

      const access = await me(target.accessToken);
      expect(access.status).toBe(401);
      expect(access.body).toMatchObject({ statusCode: 401, code: 'token_revoked' });
      const refresh = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: target.refreshToken });
      expect(refresh.status).toBe(401);
      expect(refresh.body).toMatchObject({ statusCode: 401, code: 'refresh_token_revoked' });

      await me(caller.accessToken).expect(200);
      const list = await t
        .http()
        .get('/api/auth/sessions')
        .set(bearer(caller.accessToken))
        .expect(200);
      expect((list.body as { id: string }[]).map((s) => s.id)).toEqual([
        decodeJwt(caller.accessToken).sid,
      ]);
    });

    it("DELETE answers 404 not_found for another user's session and for an unknown id", async () => {
      const { pair: caller } = await registerUser(t.http);
      const { pair: victim } = await registerUser(t.http);
      const victimSid = decodeJwt(victim.accessToken).sid as string;

      for (const id of [victimSid, randomUUID()]) {
        const res = await t
          .http()
          .delete(`/api/auth/sessions/${id}`)
          .set(bearer(caller.accessToken));
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'not_found' });
      }
      await me(victim.accessToken).expect(200);
    });

    it('DELETE answers 400 validation_failed for a malformed id', async () => {
      const { pair } = await registerUser(t.http);
      const res = await t
        .http()
        .delete('/api/auth/sessions/not-a-uuid')
        .set(bearer(pair.accessToken));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
      expect(Array.isArray(res.body.message)).toBe(true);
      expect(res.body.message.some((m: string) => m.includes('id'))).toBe(true);
    });
  });

  describe('POST /api/auth/change-password', () => {
    const NEW_PASSWORD = 'a brand new passphrase';

    it('answers 200 with a pair of a new session and ends every old session', async () => {
      const { email, password, pair: first } = await registerUser(t.http);
      const caller = await login(t.http, email, password);

      const res = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(caller.accessToken))
        .send({ currentPassword: password, newPassword: NEW_PASSWORD });
      expect(res.status).toBe(200);
      expectTokenPair(res.body);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      expect(refreshCookie(res)).toContain(`refresh_token=${res.body.refreshToken};`);

      const newSid = decodeJwt(res.body.accessToken).sid;
      expect(newSid).not.toBe(decodeJwt(first.accessToken).sid);
      expect(newSid).not.toBe(decodeJwt(caller.accessToken).sid);

      for (const old of [first, caller]) await expectSessionEnded(t.http, old);
      await me(res.body.accessToken).expect(200);
      const list = await t
        .http()
        .get('/api/auth/sessions')
        .set(bearer(res.body.accessToken))
        .expect(200);
      expect(list.body).toEqual([expect.objectContaining({ id: newSid, current: true })]);

      const oldLogin = await t.http().post('/api/auth/login').send({ email, password });
      expect(oldLogin.status).toBe(401);
      expect(oldLogin.body).toMatchObject({ statusCode: 401, code: 'invalid_credentials' });
      await login(t.http, email, NEW_PASSWORD);
    });

    it('answers 403 invalid_current_password and changes nothing', async () => {
      const { email, password, pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(pair.accessToken))
        .send({ currentPassword: 'not my password', newPassword: NEW_PASSWORD });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        statusCode: 403,
        error: 'Forbidden',
        code: 'invalid_current_password',
      });
      await me(pair.accessToken).expect(200);
      await login(t.http, email, password);
    });

    it.each([
      ['newPassword of 73 ASCII bytes', { newPassword: TOO_LONG_ASCII }],
      ['newPassword of 37 two-byte characters', { newPassword: TOO_LONG_MULTIBYTE }],
      ['currentPassword of 73 ASCII bytes', { currentPassword: TOO_LONG_ASCII }],
    ])('answers 400 password_too_long for a %s', async (_label, override) => {
      const { email, password, pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(pair.accessToken))
        .send({ currentPassword: password, newPassword: NEW_PASSWORD, ...override });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'password_too_long' });
      await me(pair.accessToken).expect(200);
      await login(t.http, email, password);
    });

    it.each([
      ['a short newPassword', { newPassword: 'short' }, 'newPassword'],
      ['a missing currentPassword', { currentPassword: undefined }, 'currentPassword'],
      ['an unknown field', { logoutOthers: false }, 'logoutOthers'],
    ])('answers 400 validation_failed for %s', async (_label, override, field) => {
      const { password, pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(pair.accessToken))
        .send({ currentPassword: password, newPassword: NEW_PASSWORD, ...override });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
      expect(res.body.message.some((m: string) => m.includes(field))).toBe(true);
    });

    it('answers 401 token_missing without a Bearer token', async () => {
      const res = await t
        .http()
        .post('/api/auth/change-password')
        .send({ currentPassword: DEFAULT_PASSWORD, newPassword: NEW_PASSWORD });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'token_missing' });
    });
  });
});
