import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from './utils/create-app';
import { fillParams, listRoutes, routeKey, RouteInfo } from './utils/routes';

/**
 * Every route that may be called without an access token. A new @Public() route fails the
 * "allow-list" test until it is added here on purpose.
 */
const PUBLIC_ROUTES = [
  'GET /api/articles',
  'GET /api/articles/:id',
  'GET /api/health',
  // Public to the global guards only: its own MetricsAccessGuard requires an admin token unless
  // METRICS_PUBLIC=true (test/ops.e2e-spec.ts).
  'GET /metrics',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/refresh',
  'POST /api/auth/register',
  // The public keys and RFC 8414 metadata resource servers fetch (test/keys.e2e-spec.ts).
  'GET /.well-known/jwks.json',
  'GET /.well-known/oauth-authorization-server',
  // Client authentication (HTTP Basic) or, for revocation, the token itself
  // (test/oauth.e2e-spec.ts).
  'POST /api/oauth/introspect',
  'POST /api/oauth/revoke',
  // Password reset by mail: the caller has no session (test/password-reset.e2e-spec.ts).
  'POST /api/auth/password/forgot',
  'POST /api/auth/password/reset',
  'POST /api/auth/email/verify',
  // Login's second step: the mfa token is the credential (test/mfa.e2e-spec.ts).
  'POST /api/auth/mfa/verify',
].sort();

type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete';

describe('global access-token guard over every route', () => {
  let t: TestApp;
  let routes: RouteInfo[];

  beforeAll(async () => {
    t = await createTestApp();
    routes = listRoutes(t.app);
  });
  afterAll(() => t.close());

  it('finds the routes and a sensible number of protected ones', () => {
    const protectedRoutes = routes.filter((route) => !route.isPublic);
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(10);
    expect(routes.map(routeKey)).toEqual(
      expect.arrayContaining(['GET /api/users/me', 'POST /api/articles', 'GET /api/admin/users']),
    );
  });

  it('has every @Public() route on the explicit allow-list, and nothing else public', () => {
    const publicRoutes = routes
      .filter((route) => route.isPublic)
      .map(routeKey)
      .sort();
    expect(publicRoutes).toEqual(PUBLIC_ROUTES);
  });

  it('answers 401 token_missing with a Bearer challenge on every non-public route without a token', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of routes.filter((r) => !r.isPublic)) {
      const verb = route.method.toLowerCase() as Verb;
      const url = fillParams(route.path, randomUUID());
      const request = t.http()[verb](url);
      const res = ['post', 'put', 'patch'].includes(verb) ? await request.send({}) : await request;
      checked++;
      const ok =
        res.status === 401 &&
        res.body?.code === 'token_missing' &&
        res.body?.statusCode === 401 &&
        res.headers['www-authenticate'] === 'Bearer realm="api"';
      if (!ok) {
        failures.push(
          `${routeKey(route)} (${route.handler}) → ${res.status} ${JSON.stringify(res.body)} ` +
            `WWW-Authenticate=${String(res.headers['www-authenticate'])}`,
        );
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(failures).toEqual([]);
  });

  it('rejects a protected route with a garbage Bearer token with the invalid_token challenge', async () => {
    const res = await t.http().get('/api/users/me').set('Authorization', 'Bearer not-a-jwt');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'token_invalid' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
  });
});
