import { randomUUID } from 'node:crypto';
import { bearer, decodeJwt, login, registerUser, signTestToken } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

/** The refresh_token Set-Cookie header of a response, if any. */
function refreshCookie(headers: Record<string, unknown>): string | undefined {
  const raw = headers['set-cookie'] as string | string[] | undefined;
  const cookies = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return cookies.find((cookie) => cookie.startsWith('refresh_token='));
}

function isCleared(cookie: string | undefined): boolean {
  if (!cookie) return false;
  const expires = /;\s*Expires=([^;]+)/i.exec(cookie)?.[1];
  return (
    /^refresh_token=;/.test(cookie) &&
    (/;\s*Max-Age=0(;|$)/i.test(cookie) || (!!expires && Date.parse(expires) <= Date.now()))
  );
}

describe('logout clears the refresh cookie even when it fails (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('a garbage cookie: 401 refresh_token_invalid and the cookie cleared', async () => {
    const res = await t.http().post('/api/auth/logout').set('Cookie', 'refresh_token=garbage');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'refresh_token_invalid' });
    expect(isCleared(refreshCookie(res.headers))).toBe(true);
  });

  it('a well-signed token with an unknown jti: 401 and the cookie cleared', async () => {
    const { pair } = await registerUser(t.http);
    const { sub, sid } = decodeJwt(pair.refreshToken);
    const forged = signTestToken(
      { sub, sid },
      { key: 'refresh', header: { alg: 'HS256', typ: 'rt+jwt' }, jwtid: randomUUID() },
    );
    const res = await t.http().post('/api/auth/logout').set('Cookie', `refresh_token=${forged}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'refresh_token_invalid' });
    expect(isCleared(refreshCookie(res.headers))).toBe(true);
  });

  it('a failed refresh does not touch the cookie', async () => {
    const res = await t.http().post('/api/auth/refresh').set('Cookie', 'refresh_token=garbage');
    expect(res.status).toBe(401);
    expect(refreshCookie(res.headers)).toBeUndefined();
  });

  it("deleting one session does not clear the caller's cookie", async () => {
    const { email, password, pair } = await registerUser(t.http);
    const other = await login(t.http, email, password);
    const res = await t
      .http()
      .delete(`/api/auth/sessions/${decodeJwt(other.accessToken).sid}`)
      .set(bearer(pair.accessToken));
    expect(res.status).toBe(204);
    expect(refreshCookie(res.headers)).toBeUndefined();
  });
});

describe('concurrent password changes (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('two changes checked against the same password: exactly one wins', async () => {
    const { email, password, pair } = await registerUser(t.http);
    const candidates = ['first new password', 'second new password'];
    const responses = await Promise.all(
      candidates.map((newPassword) =>
        t
          .http()
          .post('/api/auth/change-password')
          .set(bearer(pair.accessToken))
          .send({ currentPassword: password, newPassword }),
      ),
    );
    const winners = responses.filter((res) => res.status === 200);
    expect(winners).toHaveLength(1);
    const loser = responses.find((res) => res.status !== 200)!;
    // The loser either found the password already changed, or its session already ended.
    expect([
      [403, 'invalid_current_password'],
      [401, 'token_revoked'],
    ]).toContainEqual([loser.status, loser.body.code]);

    // Only the winner's new session is alive (before the logins below add more).
    const sessions = await t
      .http()
      .get('/api/auth/sessions')
      .set(bearer(winners[0].body.accessToken))
      .expect(200);
    expect(sessions.body).toHaveLength(1);

    const winning = candidates[responses.indexOf(winners[0])];
    const losing = candidates.find((candidate) => candidate !== winning)!;
    await t.http().post('/api/auth/login').send({ email, password: winning }).expect(200);
    for (const stale of [losing, password]) {
      const res = await t.http().post('/api/auth/login').send({ email, password: stale });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_credentials');
    }
  });
});
