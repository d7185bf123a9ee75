import { bearer, login, registerUser, TokenPairBody } from './utils/auth';
import { isClearing, refreshSetCookie, SetCookie } from './utils/cookies';
import { createTestApp, TestApp } from './utils/create-app';

/**
 * The refresh cookie's attributes and lifetime, its clearing, and the Origin rule that keeps
 * another origin (a sibling subdomain is the same site, so SameSite does not stop it) from
 * using the cookie to refresh or log out.
 */
const HOST = 'api.example.test';
const OWN_ORIGIN = `http://${HOST}`;
const APP_ORIGIN = 'https://app.example.com';
const EVIL_ORIGIN = 'https://evil.example.com';

const withCookie = (pair: TokenPairBody) => ({ Cookie: `refresh_token=${pair.refreshToken}` });

function expectRefreshCookieAttributes(cookie: SetCookie | undefined, secure: boolean): void {
  expect(cookie).toBeDefined();
  const { attributes } = cookie!;
  expect(attributes.httponly).toBe(true);
  expect(String(attributes.samesite).toLowerCase()).toBe('strict');
  expect(attributes.path).toBe('/api/auth');
  expect(attributes.secure === true).toBe(secure);
  expect(attributes.domain).toBeUndefined();
}

describe('refresh cookie (e2e)', () => {
  describe('outside production', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('register, login and refresh set it HttpOnly, SameSite=Strict, Path=/api/auth, not Secure', async () => {
      const { email, password } = await registerUser(t.http);
      const registered = await t
        .http()
        .post('/api/auth/register')
        .send({ email: `again-${email}`, password })
        .expect(201);
      expectRefreshCookieAttributes(refreshSetCookie(registered.headers), false);
      const logged = await t.http().post('/api/auth/login').send({ email, password }).expect(200);
      const cookie = refreshSetCookie(logged.headers);
      expectRefreshCookieAttributes(cookie, false);
      expect(cookie!.value).toBe(logged.body.refreshToken);
      const refreshed = await t.http().post('/api/auth/refresh').set(withCookie(logged.body));
      expect(refreshed.status).toBe(200);
      expectRefreshCookieAttributes(refreshSetCookie(refreshed.headers), false);
    });

    it('logout clears it with the same name, path and flags, on success and on 401', async () => {
      const { pair } = await registerUser(t.http);
      const ok = await t.http().post('/api/auth/logout').set(withCookie(pair)).expect(204);
      const cleared = refreshSetCookie(ok.headers);
      expectRefreshCookieAttributes(cleared, false);
      expect(isClearing(cleared!)).toBe(true);

      const failed = await t
        .http()
        .post('/api/auth/logout')
        .set('Cookie', 'refresh_token=not-a-token');
      expect(failed.status).toBe(401);
      const clearedOnFailure = refreshSetCookie(failed.headers);
      expectRefreshCookieAttributes(clearedOnFailure, false);
      expect(isClearing(clearedOnFailure!)).toBe(true);
    });
  });

  describe('in production', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ NODE_ENV: 'production' });
    });
    afterAll(() => t.close());

    it('the cookie is Secure when set and when cleared', async () => {
      const { pair } = await registerUser(t.http);
      const refreshed = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: pair.refreshToken });
      expect(refreshed.status).toBe(200);
      expectRefreshCookieAttributes(refreshSetCookie(refreshed.headers), true);
      const out = await t
        .http()
        .post('/api/auth/logout')
        .set(withCookie(refreshed.body))
        .expect(204);
      expectRefreshCookieAttributes(refreshSetCookie(out.headers), true);
      expect(isClearing(refreshSetCookie(out.headers)!)).toBe(true);
    });
  });

  describe('Max-Age never outlives the session (SESSION_MAX_TTL=1h < REFRESH_TOKEN_TTL=7d)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ SESSION_MAX_TTL: '1h', REFRESH_TOKEN_TTL: '7d' });
    });
    afterAll(() => t.close());

    const maxAge = (cookie: SetCookie | undefined) => Number(cookie?.attributes['max-age']);

    it('is the refresh token’s remaining lifetime: 1 h at login, what is left of it later', async () => {
      const { pair } = await registerUser(t.http);
      expect(pair.refreshExpiresIn).toBe(3600);
      const { email, password } = await registerUser(t.http);
      const logged = await t.http().post('/api/auth/login').send({ email, password }).expect(200);
      expect(maxAge(refreshSetCookie(logged.headers))).toBe(3600);

      t.clock.advance(40 * 60);
      const refreshed = await t.http().post('/api/auth/refresh').set(withCookie(logged.body));
      expect(refreshed.status).toBe(200);
      const left = maxAge(refreshSetCookie(refreshed.headers));
      expect(left).toBeGreaterThanOrEqual(1199);
      expect(left).toBeLessThanOrEqual(1200);
      expect(left).toBe(refreshed.body.refreshExpiresIn);
    });
  });
});

describe('Origin check on cookie-carried refresh and logout (e2e)', () => {
  describe('without CORS_ORIGINS: only the server’s own origin', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    const refreshWithCookie = (pair: TokenPairBody, origin?: string) => {
      const req = t.http().post('/api/auth/refresh').set('Host', HOST).set(withCookie(pair));
      return origin === undefined ? req : req.set('Origin', origin);
    };

    it.each([EVIL_ORIGIN, APP_ORIGIN, 'null', `https://${HOST}`, `http://${HOST}:8080`])(
      'refresh with the cookie from Origin %s: 403 forbidden, nothing spent or set',
      async (origin) => {
        const { pair } = await registerUser(t.http);
        const res = await refreshWithCookie(pair, origin);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ statusCode: 403, code: 'forbidden' });
        expect(refreshSetCookie(res.headers)).toBeUndefined();
        // The token is still the live one: the forged request changed nothing.
        await t
          .http()
          .post('/api/auth/refresh')
          .send({ refreshToken: pair.refreshToken })
          .expect(200);
      },
    );

    it('logout with the cookie from another origin: 403, the session goes on and the cookie stays', async () => {
      const { pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/logout')
        .set('Host', HOST)
        .set('Origin', EVIL_ORIGIN)
        .set(withCookie(pair));
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'forbidden' });
      expect(refreshSetCookie(res.headers)).toBeUndefined();
      await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    });

    it('refresh and logout with the cookie from the server’s own origin succeed', async () => {
      const { pair } = await registerUser(t.http);
      const refreshed = await refreshWithCookie(pair, OWN_ORIGIN);
      expect(refreshed.status).toBe(200);
      const out = await t
        .http()
        .post('/api/auth/logout')
        .set('Host', HOST)
        .set('Origin', OWN_ORIGIN)
        .set(withCookie(refreshed.body));
      expect(out.status).toBe(204);
    });

    it('a request without Origin (a non-browser client) may use the cookie', async () => {
      const { pair } = await registerUser(t.http);
      expect((await refreshWithCookie(pair)).status).toBe(200);
    });

    it('a token in the body is not subject to the Origin check', async () => {
      const { email, password } = await registerUser(t.http);
      const pair = await login(t.http, email, password);
      const refreshed = await t
        .http()
        .post('/api/auth/refresh')
        .set('Origin', EVIL_ORIGIN)
        .send({ refreshToken: pair.refreshToken });
      expect(refreshed.status).toBe(200);
      await t
        .http()
        .post('/api/auth/logout')
        .set('Origin', EVIL_ORIGIN)
        .send({ refreshToken: refreshed.body.refreshToken })
        .expect(204);
    });

    it('a cross-site form post never reaches the token logic: its body type is 415', async () => {
      const { pair } = await registerUser(t.http);
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const res = await t
          .http()
          .post('/api/auth/logout')
          .set('Origin', EVIL_ORIGIN)
          .set('Content-Type', type)
          .set(withCookie(pair))
          .send('refreshToken=x');
        expect(res.status).toBe(415);
      }
      await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    });

    it('X-Forwarded-Proto is not believed unless TRUST_PROXY trusts the hop', async () => {
      const { pair } = await registerUser(t.http);
      const res = await refreshWithCookie(pair, `https://${HOST}`).set(
        'X-Forwarded-Proto',
        'https',
      );
      expect(res.status).toBe(403);
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY=1) that terminates TLS', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ TRUST_PROXY: '1' });
    });
    afterAll(() => t.close());

    it('the public https origin the proxy forwards is the server’s own', async () => {
      const { pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/refresh')
        .set('Host', HOST)
        .set('X-Forwarded-Proto', 'https')
        .set('Origin', `https://${HOST}`)
        .set(withCookie(pair));
      expect(res.status).toBe(200);
    });
  });

  describe('with CORS_ORIGINS: the listed origins and the server’s own', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ CORS_ORIGINS: APP_ORIGIN });
    });
    afterAll(() => t.close());

    it.each([
      [APP_ORIGIN, 200],
      [OWN_ORIGIN, 200],
      [EVIL_ORIGIN, 403],
      ['https://sub.app.example.com', 403],
    ])('refresh with the cookie from %s answers %i', async (origin, status) => {
      const { pair } = await registerUser(t.http);
      const res = await t
        .http()
        .post('/api/auth/refresh')
        .set('Host', HOST)
        .set('Origin', origin)
        .set(withCookie(pair));
      expect(res.status).toBe(status);
    });
  });
});
