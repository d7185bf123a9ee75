import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { bearer, registerUser } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

/**
 * Response headers (helmet, CSP, content type, caching) and CORS, on the real pipeline, and
 * bearer/refresh tokens in the query string being ignored.
 */
const APP_ORIGIN = 'https://app.example.com';
const OTHER_APP_ORIGIN = 'http://localhost:5173';
const EVIL_ORIGIN = 'https://evil.example.com';

/** The CSP's directives by name, each with its sources. */
function cspDirectives(header: string | undefined): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const directive of (header ?? '').split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** The headers every response carries, whatever its route or status. */
function expectSecurityHeaders(res: Response): void {
  const hsts = String(res.headers['strict-transport-security']);
  expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
  expect(hsts).toMatch(/includeSubDomains/i);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(cspDirectives(res.headers['content-security-policy']).get('frame-ancestors')).toEqual([
    "'none'",
  ]);
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

/** Every header helmet may set, and X-Powered-By that it removes. */
const SECURITY_HEADER_NAMES = new Set([
  'content-security-policy',
  'cross-origin-embedder-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-powered-by',
  'x-xss-protection',
]);

describe('security headers (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('API responses', () => {
    const requests: [string, () => Promise<Response>, number][] = [
      ['a public 200', () => t.http().get('/api/articles'), 200],
      ['a 401', () => t.http().get('/api/users/me'), 401],
      ['a 400', () => t.http().post('/api/auth/login').send({ email: 1 }), 400],
      ['an unknown route', () => t.http().get('/api/nope'), 404],
      ['the OpenAPI JSON', () => t.http().get('/docs-json'), 200],
    ];

    it.each(requests)(
      '%s carries HSTS, nosniff, frame denial and no X-Powered-By',
      async (_, send, status) => {
        const res = await send();
        expect(res.status).toBe(status);
        expectSecurityHeaders(res);
      },
    );

    // Exactly helmet's set for the app's options, value for value (security-headers.ts
    // computes it once instead of running helmet per request).
    it.each(requests)(
      '%s carries exactly the security headers, with their values',
      async (_, send) => {
        const res = await send();
        const security = Object.fromEntries(
          Object.entries(res.headers).filter(([name]) => SECURITY_HEADER_NAMES.has(name)),
        );
        expect(security).toEqual({
          'content-security-policy': "default-src 'none';frame-ancestors 'none'",
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-resource-policy': 'same-origin',
          'origin-agent-cluster': '?1',
          'referrer-policy': 'no-referrer',
          'strict-transport-security': 'max-age=31536000; includeSubDomains',
          'x-content-type-options': 'nosniff',
          'x-dns-prefetch-control': 'off',
          'x-download-options': 'noopen',
          'x-frame-options': 'DENY',
          'x-permitted-cross-domain-policies': 'none',
          'x-xss-protection': '0',
        });
      },
    );

    it.each(requests)("%s has the strict CSP: default-src 'none'", async (_, send) => {
      const csp = cspDirectives((await send()).headers['content-security-policy']);
      expect(Object.fromEntries(csp)).toEqual({
        'default-src': ["'none'"],
        'frame-ancestors': ["'none'"],
      });
    });

    it.each(requests)('%s is JSON with charset=utf-8', async (_, send) => {
      expect((await send()).headers['content-type']).toBe('application/json; charset=utf-8');
    });
  });

  describe('the Swagger UI page (/docs)', () => {
    let page: Response;
    let csp: Map<string, string[]>;
    beforeAll(async () => {
      page = await t.http().get('/docs').expect(200);
      csp = cspDirectives(page.headers['content-security-policy']);
    });

    it('is HTML with charset=utf-8 and the same HSTS, nosniff and frame denial', () => {
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expectSecurityHeaders(page);
    });

    it("runs only this origin's scripts: no unsafe-inline, no unsafe-eval, nothing else by default", () => {
      expect(csp.get('default-src')).toEqual(["'none'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(csp.get('connect-src')).toEqual(["'self'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
    });

    it('allows exactly the inline styles the page ships, by hash', () => {
      const hash = (text: string) =>
        `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
      const html = page.text;
      const blocks = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
      const attributes = [...html.matchAll(/\sstyle="([^"]*)"/g)].map((m) => m[1]);
      expect(blocks.length + attributes.length).toBeGreaterThan(0);
      const expected = [...new Set([...blocks, ...attributes].map(hash))].sort();
      const styleSrc = csp.get('style-src') ?? [];
      expect(styleSrc.filter((source) => source.startsWith("'sha256-")).sort()).toEqual(expected);
      expect(styleSrc).toContain("'self'");
      if (attributes.length) expect(styleSrc).toContain("'unsafe-hashes'");
    });

    it('the same page at /docs/ gets the same policy; its assets get the strict one', async () => {
      const slash = await t.http().get('/docs/').expect(200);
      expect(slash.headers['content-security-policy']).toBe(
        page.headers['content-security-policy'],
      );
      const script = await t.http().get('/docs/swagger-ui-init.js').expect(200);
      expect(cspDirectives(script.headers['content-security-policy']).get('default-src')).toEqual([
        "'none'",
      ]);
      expect(script.headers['content-security-policy']).not.toMatch(/script-src/);
    });
  });

  describe('token responses are never cached', () => {
    const expectNoStore = (res: Response) => {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
    };

    it('register, login, refresh and change-password answer Cache-Control: no-store, Pragma: no-cache', async () => {
      const { email, password, pair } = await registerUser(t.http, {});
      const register = await t
        .http()
        .post('/api/auth/register')
        .send({ email: `x${email}`, password });
      expect(register.status).toBe(201);
      expectNoStore(register);

      const login = await t.http().post('/api/auth/login').send({ email, password }).expect(200);
      expectNoStore(login);

      const refresh = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: pair.refreshToken })
        .expect(200);
      expectNoStore(refresh);

      const change = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(login.body.accessToken))
        .send({ currentPassword: password, newPassword: 'another good password' })
        .expect(200);
      expectNoStore(change);
    });
  });

  describe('tokens in the query string are ignored', () => {
    it('GET /api/users/me?access_token=<valid token> answers 401 token_missing', async () => {
      const { pair } = await registerUser(t.http);
      for (const name of ['access_token', 'accessToken', 'token']) {
        const res = await t.http().get(`/api/users/me?${name}=${pair.accessToken}`);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ code: 'token_missing' });
      }
      await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    });

    it('POST /api/auth/refresh?refreshToken=<valid token> answers 401 refresh_token_missing', async () => {
      const { pair } = await registerUser(t.http);
      for (const name of ['refreshToken', 'refresh_token']) {
        const res = await t.http().post(`/api/auth/refresh?${name}=${pair.refreshToken}`);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ code: 'refresh_token_missing' });
      }
      // The token was not spent by those attempts.
      await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: pair.refreshToken })
        .expect(200);
    });
  });
});

describe('CORS (e2e)', () => {
  describe('with CORS_ORIGINS set', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ CORS_ORIGINS: `${APP_ORIGIN},${OTHER_APP_ORIGIN}` });
    });
    afterAll(() => t.close());

    const preflight = (origin: string) =>
      t
        .http()
        .options('/api/auth/refresh')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');

    it.each([APP_ORIGIN, OTHER_APP_ORIGIN])(
      'echoes the listed origin %s with credentials, never *',
      async (origin) => {
        const pre = await preflight(origin);
        expect(pre.status).toBe(204);
        expect(pre.headers['access-control-allow-origin']).toBe(origin);
        expect(pre.headers['access-control-allow-credentials']).toBe('true');
        const res = await t.http().get('/api/articles').set('Origin', origin).expect(200);
        expect(res.headers['access-control-allow-origin']).toBe(origin);
        expect(res.headers['access-control-allow-credentials']).toBe('true');
        expect(String(res.headers['vary'])).toMatch(/origin/i);
      },
    );

    it.each([EVIL_ORIGIN, 'null', 'https://app.example.com.evil.test', 'http://app.example.com'])(
      'gives the unlisted origin %s no Access-Control-Allow-Origin, preflight or not',
      async (origin) => {
        const pre = await preflight(origin);
        expect(pre.headers['access-control-allow-origin']).toBeUndefined();
        // (@fastify/cors still sends Allow-Credentials: without Allow-Origin, browsers refuse.)
        const res = await t.http().get('/api/articles').set('Origin', origin).expect(200);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        const err = await t.http().get('/api/users/me').set('Origin', origin).expect(401);
        expect(err.headers['access-control-allow-origin']).toBeUndefined();
      },
    );
  });

  describe('without CORS_ORIGINS', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('answers no origin with Access-Control-Allow-Origin, preflight or not', async () => {
      for (const origin of [APP_ORIGIN, EVIL_ORIGIN]) {
        const pre = await t
          .http()
          .options('/api/auth/refresh')
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'POST');
        expect(pre.headers['access-control-allow-origin']).toBeUndefined();
        const res = await t.http().get('/api/articles').set('Origin', origin).expect(200);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      }
    });
  });
});
