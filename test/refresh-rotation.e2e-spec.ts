import { createHash, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  bearer,
  decodeJwt,
  loginAdmin,
  registerUser,
  signTestToken,
  TokenPairBody,
} from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

const DAY = 24 * 3600;
const MINUTE = 60;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const sidOf = (token: string) => decodeJwt(token).sid as string;
const decodeHeader = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));

function refreshCookie(res: Response): string | undefined {
  const header = res.headers['set-cookie'] as string[] | string | undefined;
  const cookies = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return cookies.find((cookie) => cookie.startsWith('refresh_token='));
}

function expectError(res: Response, status: number, code: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { statusCode: status, code },
  });
}

/** Helpers bound to one test app. */
function clientFor(t: TestApp) {
  return {
    refresh: (refreshToken: string) => t.http().post('/api/auth/refresh').send({ refreshToken }),
    refreshOk: async (refreshToken: string) => {
      const res = await t.http().post('/api/auth/refresh').send({ refreshToken });
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
      return res.body as TokenPairBody;
    },
    me: (accessToken: string) => t.http().get('/api/users/me').set(bearer(accessToken)),
  };
}

describe('refresh rotation (e2e)', () => {
  describe('with the default grace (10s)', () => {
    let t: TestApp;
    let c: ReturnType<typeof clientFor>;
    beforeAll(async () => {
      t = await createTestApp();
      c = clientFor(t);
    });
    afterAll(() => t.close());

    it('rotates a token sent in the body: new pair, new refresh token, same session', async () => {
      const { pair } = await registerUser(t.http);
      const res = await c.refresh(pair.refreshToken);

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        tokenType: 'Bearer',
        accessToken: expect.any(String),
        expiresIn: 900,
        refreshToken: expect.any(String),
        refreshExpiresIn: 604800,
        user: pair.user,
      });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      expect(refreshCookie(res)).toContain(`refresh_token=${res.body.refreshToken};`);

      expect(res.body.refreshToken).not.toBe(pair.refreshToken);
      expect(res.body.accessToken).not.toBe(pair.accessToken);
      expect(sidOf(res.body.accessToken)).toBe(sidOf(pair.accessToken));
      expect(sidOf(res.body.refreshToken)).toBe(sidOf(pair.accessToken));
      expect(decodeHeader(res.body.refreshToken)).toEqual({ alg: 'HS256', typ: 'rt+jwt' });
      expect(decodeJwt(res.body.refreshToken).jti).not.toBe(decodeJwt(pair.refreshToken).jti);

      await c.me(res.body.accessToken).expect(200);
      await c.refreshOk(res.body.refreshToken);
    });

    it('rotates a token sent only in the refresh_token cookie', async () => {
      const { pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/refresh')
        .set('Cookie', `refresh_token=${pair.refreshToken}`);

      expect(res.status).toBe(200);
      expect(res.body.refreshToken).not.toBe(pair.refreshToken);
      expect(sidOf(res.body.accessToken)).toBe(sidOf(pair.accessToken));
      expect(refreshCookie(res)).toContain(`refresh_token=${res.body.refreshToken};`);
      await c.me(res.body.accessToken).expect(200);

      const next = await t
        .http()
        .post('/api/auth/refresh')
        .set('Cookie', `refresh_token=${res.body.refreshToken}`);
      expect(next.status).toBe(200);
      expect(sidOf(next.body.accessToken)).toBe(sidOf(pair.accessToken));
    });

    it.each([
      ['no body and no cookie', undefined],
      ['an empty JSON body', {}],
    ])('answers 401 refresh_token_missing for %s', async (_label, body) => {
      const req = t.http().post('/api/auth/refresh');
      const res = body === undefined ? await req : await req.send(body);
      expectError(res, 401, 'refresh_token_missing');
    });

    describe('answers 401 refresh_token_invalid', () => {
      let pair: TokenPairBody;
      beforeAll(async () => {
        ({ pair } = await registerUser(t.http));
      });

      const refreshClaims = () => {
        const { sub, sid } = decodeJwt(pair.refreshToken);
        return { sub, sid };
      };
      const refreshHeader = { alg: 'HS256', typ: 'rt+jwt' } as const;

      const cases: [string, () => string][] = [
        ['for garbage', () => 'garbage'],
        [
          'for a token forged with a wrong secret',
          () =>
            signTestToken(refreshClaims(), {
              key: 'a-wrong-refresh-secret-0123456789-abcdefghijkl',
              header: refreshHeader,
              jwtid: decodeJwt(pair.refreshToken).jti,
            }),
        ],
        ['for an access token', () => pair.accessToken],
        [
          'for a correctly signed refresh JWT with an unknown jti',
          () =>
            signTestToken(refreshClaims(), {
              key: 'refresh',
              header: refreshHeader,
              jwtid: randomUUID(),
            }),
        ],
        [
          'for a correctly signed refresh JWT with the live jti but not the issued token',
          () =>
            signTestToken(refreshClaims(), {
              key: 'refresh',
              header: refreshHeader,
              jwtid: decodeJwt(pair.refreshToken).jti,
              expiresIn: 3600,
            }),
        ],
        [
          'for a refresh-key JWT with typ at+jwt',
          () =>
            signTestToken(refreshClaims(), {
              key: 'refresh',
              jwtid: decodeJwt(pair.refreshToken).jti,
            }),
        ],
      ];

      it.each(cases)('%s', async (_label, forge) => {
        expectError(await c.refresh(forge()), 401, 'refresh_token_invalid');
      });

      it('while the genuine token of that session still rotates', async () => {
        await c.refreshOk(pair.refreshToken);
      });
    });

    it('answers 400 validation_failed when refreshToken is a number', async () => {
      const res = await t.http().post('/api/auth/refresh').send({ refreshToken: 12345 });
      expectError(res, 400, 'validation_failed');
      expect(Array.isArray(res.body.message)).toBe(true);
      expect(res.body.message.some((m: string) => m.includes('refreshToken'))).toBe(true);
    });

    it('answers 400 validation_failed for an unknown body field, without spending the token', async () => {
      const { pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: pair.refreshToken, extra: 1 });
      expectError(res, 400, 'validation_failed');
      expect(res.body.message.some((m: string) => m.includes('extra'))).toBe(true);

      const next = await c.refreshOk(pair.refreshToken);
      // Had the 400 spent the token, this would be the grace replay of a rotation: check it is fresh.
      await c.refreshOk(next.refreshToken);
      const rows: { id: string }[] = await t.dataSource.query(
        'SELECT id FROM refresh_tokens WHERE session_id = ?',
        [sidOf(pair.accessToken)],
      );
      expect(rows).toHaveLength(3);
    });

    it('within the grace, a replay of the just-rotated token answers the same successor', async () => {
      const { pair } = await registerUser(t.http);
      const first = await c.refreshOk(pair.refreshToken);

      const replay = await c.refresh(pair.refreshToken);
      expect(replay.status).toBe(200);
      expect(replay.body.refreshToken).toBe(first.refreshToken);
      expect(sidOf(replay.body.accessToken)).toBe(sidOf(pair.accessToken));
      expect(refreshCookie(replay)).toContain(`refresh_token=${first.refreshToken};`);
      await c.me(replay.body.accessToken).expect(200);
      await c.me(first.accessToken).expect(200);

      const second = await c.refreshOk(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      await c.me(second.accessToken).expect(200);
      await c.refreshOk(second.refreshToken);
    });

    it('an older generation answers refresh_token_reused and revokes the whole session', async () => {
      const { pair: gen0 } = await registerUser(t.http);
      const gen1 = await c.refreshOk(gen0.refreshToken);
      const gen2 = await c.refreshOk(gen1.refreshToken);

      expectError(await c.refresh(gen0.refreshToken), 401, 'refresh_token_reused');

      expectError(await c.refresh(gen2.refreshToken), 401, 'refresh_token_revoked');
      for (const pair of [gen0, gen1, gen2]) {
        const res = await c.me(pair.accessToken);
        expectError(res, 401, 'token_revoked');
      }
      const sessions = await t.dataSource.query('SELECT revoked_at FROM sessions WHERE id = ?', [
        sidOf(gen0.accessToken),
      ]);
      expect(sessions).toHaveLength(1);
      expect(sessions[0].revoked_at).not.toBeNull();
    });

    it('after a rotation the database holds only SHA-256 hashes of the tokens', async () => {
      const { pair } = await registerUser(t.http);
      const next = await c.refreshOk(pair.refreshToken);
      const sid = sidOf(pair.accessToken);

      const rows: Record<string, unknown>[] = await t.dataSource.query(
        'SELECT * FROM refresh_tokens WHERE session_id = ?',
        [sid],
      );
      expect(rows).toHaveLength(2);
      const byId = new Map(rows.map((row) => [row.id as string, row]));
      const parent = byId.get(decodeJwt(pair.refreshToken).jti as string);
      const child = byId.get(decodeJwt(next.refreshToken).jti as string);
      expect(parent).toBeDefined();
      expect(child).toBeDefined();
      expect(parent!.token_hash).toBe(sha256(pair.refreshToken));
      expect(child!.token_hash).toBe(sha256(next.refreshToken));
      expect(parent!.spent_at).not.toBeNull();
      expect(child!.spent_at).toBeNull();
      expect(child!.parent_id).toBe(parent!.id);

      const secrets = [pair.refreshToken, next.refreshToken];
      for (const table of ['refresh_tokens', 'sessions']) {
        const all: Record<string, unknown>[] = await t.dataSource.query(`SELECT * FROM ${table}`);
        for (const row of all) {
          const values = Object.values(row).map((value) => String(value));
          for (const token of secrets) {
            expect(values.some((value) => value.includes(token))).toBe(false);
            // No prefix or signature of the token either.
            expect(values.some((value) => value.includes(token.split('.')[2]))).toBe(false);
          }
        }
      }
    });
  });

  describe('after the grace window', () => {
    let t: TestApp;
    let c: ReturnType<typeof clientFor>;
    beforeAll(async () => {
      t = await createTestApp();
      c = clientFor(t);
    });
    afterAll(() => t.close());

    it('the parent still answers the successor at +9s, and at +11s answers refresh_token_reused', async () => {
      const { pair } = await registerUser(t.http);
      const next = await c.refreshOk(pair.refreshToken);

      t.clock.advance(9);
      const replay = await c.refresh(pair.refreshToken);
      expect(replay.status).toBe(200);
      expect(replay.body.refreshToken).toBe(next.refreshToken);

      t.clock.advance(2);
      expectError(await c.refresh(pair.refreshToken), 401, 'refresh_token_reused');
      expectError(await c.refresh(next.refreshToken), 401, 'refresh_token_revoked');
      expectError(await c.me(next.accessToken), 401, 'token_revoked');
      expectError(await c.me(pair.accessToken), 401, 'token_revoked');
    });
  });

  describe('with REFRESH_REUSE_GRACE=0', () => {
    let t: TestApp;
    let c: ReturnType<typeof clientFor>;
    beforeAll(async () => {
      t = await createTestApp({ REFRESH_REUSE_GRACE: '0' });
      c = clientFor(t);
    });
    afterAll(() => t.close());

    it('any replay answers refresh_token_reused and revokes the session', async () => {
      const { pair } = await registerUser(t.http);
      const next = await c.refreshOk(pair.refreshToken);

      expectError(await c.refresh(pair.refreshToken), 401, 'refresh_token_reused');
      expectError(await c.refresh(next.refreshToken), 401, 'refresh_token_revoked');
      expectError(await c.me(next.accessToken), 401, 'token_revoked');
    });

    it('still rotates a chain that is never replayed', async () => {
      const { pair } = await registerUser(t.http);
      let token = pair.refreshToken;
      for (let i = 0; i < 3; i++) {
        const next = await c.refreshOk(token);
        expect(next.refreshToken).not.toBe(token);
        token = next.refreshToken;
      }
    });
  });

  describe('idle lifetime (REFRESH_TOKEN_TTL=7d)', () => {
    let t: TestApp;
    let c: ReturnType<typeof clientFor>;
    beforeAll(async () => {
      t = await createTestApp();
      c = clientFor(t);
    });
    afterAll(() => t.close());

    it('a token refreshes just before 7 days and answers refresh_token_expired just after', async () => {
      const { email, password, pair: early } = await registerUser(t.http);
      const late = (await t.http().post('/api/auth/login').send({ email, password }).expect(200))
        .body as TokenPairBody;

      t.clock.advance(7 * DAY - MINUTE);
      const kept = await c.refreshOk(early.refreshToken);
      expect(kept.refreshExpiresIn).toBeGreaterThan(7 * DAY - 5);
      expect(kept.refreshExpiresIn).toBeLessThanOrEqual(7 * DAY);

      t.clock.advance(2 * MINUTE);
      expectError(await c.refresh(late.refreshToken), 401, 'refresh_token_expired');
      await c.refreshOk(kept.refreshToken);
    });
  });

  describe('absolute lifetime (SESSION_MAX_TTL=1h, REFRESH_TOKEN_TTL=45m)', () => {
    let t: TestApp;
    let c: ReturnType<typeof clientFor>;
    beforeAll(async () => {
      t = await createTestApp({ SESSION_MAX_TTL: '1h', REFRESH_TOKEN_TTL: '45m' });
      c = clientFor(t);
    });
    afterAll(() => t.close());

    it('no refresh token outlives login + 1h', async () => {
      const { pair } = await registerUser(t.http);
      expect(pair.refreshExpiresIn).toBe(45 * MINUTE);

      t.clock.advance(30 * MINUTE);
      const res = await c.refresh(pair.refreshToken);
      expect(res.status).toBe(200);
      expect(res.body.refreshExpiresIn).toBeLessThanOrEqual(30 * MINUTE);
      expect(res.body.refreshExpiresIn).toBeGreaterThan(30 * MINUTE - 10);
      const cookie = refreshCookie(res);
      const maxAge = Number(/;\s*Max-Age=(\d+)/i.exec(cookie ?? '')?.[1]);
      expect(maxAge).toBeLessThanOrEqual(30 * MINUTE);

      t.clock.advance(31 * MINUTE);
      expectError(await c.refresh(res.body.refreshToken), 401, 'refresh_token_expired');
    });
  });

  describe('a disabled user (admin PATCH {disabled})', () => {
    let t: TestApp;
    let c: ReturnType<typeof clientFor>;
    beforeAll(async () => {
      t = await createTestApp();
      c = clientFor(t);
    });
    afterAll(() => t.close());

    it('answers user_disabled for its tokens and its right password, and its sessions stay ended', async () => {
      const { email, password, pair } = await registerUser(t.http);
      const admin = await loginAdmin(t.http);
      const patch = (disabled: boolean) =>
        t
          .http()
          .patch(`/api/admin/users/${pair.user.id}`)
          .set(bearer(admin.accessToken))
          .send({ disabled });

      const disable = await patch(true);
      expect(disable.status).toBe(200);
      expect(disable.body).toMatchObject({ id: pair.user.id, disabled: true });

      expectError(await c.refresh(pair.refreshToken), 401, 'user_disabled');
      expectError(await c.me(pair.accessToken), 401, 'user_disabled');
      expectError(
        await t.http().post('/api/auth/login').send({ email, password }),
        401,
        'user_disabled',
      );
      const wrongPassword = await t
        .http()
        .post('/api/auth/login')
        .send({ email, password: 'not the password' });
      expectError(wrongPassword, 401, 'invalid_credentials');

      // Disabling ended the sessions: enabling the account again does not bring them back.
      await patch(false).expect(200);
      expectError(await c.refresh(pair.refreshToken), 401, 'refresh_token_revoked');
      expectError(await c.me(pair.accessToken), 401, 'token_revoked');
      const again = (await t.http().post('/api/auth/login').send({ email, password }).expect(200))
        .body as TokenPairBody;
      await c.me(again.accessToken).expect(200);
    });
  });
});
