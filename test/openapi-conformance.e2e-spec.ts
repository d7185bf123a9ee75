import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { bearer, loginAdmin, registerUser, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { listRoutes, RouteInfo, routeKey, toOpenApiPath, fillParams } from './utils/routes';

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>
  >;
}

/** The headers a generated client or a gateway acts on: each one sent must be declared. */
const WATCHED = [
  'set-cookie',
  'retry-after',
  'www-authenticate',
  'x-request-id',
  'cache-control',
  'pragma',
];
const CLIENT = `Basic ${Buffer.from(`rs:${'s'.repeat(40)}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';
const PUBLIC_URL = 'http://127.0.0.1:3000';

/**
 * Answers of the real app checked against its own document: every status must be one the
 * operation declares, every header of interest it carries must be declared on that response.
 * Then the document through both linters, as CI runs them.
 */
describe('OpenAPI document vs. what the server sends', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let routes: RouteInfo[];
  let problems: string[] = [];
  beforeEach(() => {
    problems = [];
  });
  const seen = new Set<string>();

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL, INTROSPECTION_CLIENTS: `rs:${'s'.repeat(40)}` });
    routes = listRoutes(t.app);
    doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(() => t.close());

  /** Records where `res` (an answer of `key`, e.g. 'GET /api/articles/:id') departs from the document. */
  const conforms = (key: string, res: Response): Response => {
    const [method, path] = key.split(' ');
    const what = `${key} → ${res.status}`;
    seen.add(what);
    const declared =
      doc.paths[toOpenApiPath(path)]?.[method.toLowerCase()]?.responses?.[String(res.status)];
    if (!declared) {
      problems.push(`${what}: status not in the document`);
      return res;
    }
    const names = Object.keys(declared.headers ?? {}).map((name) => name.toLowerCase());
    for (const header of WATCHED.filter((name) => res.headers[name] !== undefined)) {
      if (!names.includes(header)) problems.push(`${what}: sends ${header}, not declared`);
    }
    return res;
  };

  it('declares every status and header of interest of the token flow and the other routes', async () => {
    const http = t.http;
    const { email, password, pair } = await registerUser(http);
    conforms(
      'POST /api/auth/register',
      await http().post('/api/auth/register').send({ email, password }),
    );
    conforms('POST /api/auth/register', await http().post('/api/auth/register').send({}));
    conforms(
      'POST /api/auth/register',
      await http().post('/api/auth/register').send({ email: uniqueEmail(), password }),
    );
    const login = conforms(
      'POST /api/auth/login',
      await http().post('/api/auth/login').send({ email, password }),
    );
    conforms(
      'POST /api/auth/login',
      await http().post('/api/auth/login').send({ email, password: 'wrong password!' }),
    );
    const access = bearer(login.body.accessToken);
    conforms('GET /api/users/me', await http().get('/api/users/me').set(access));
    conforms('GET /api/users/me', await http().get('/api/users/me').set(bearer('x.y.z')));
    conforms('PATCH /api/users/me', await http().patch('/api/users/me').set(access).send({}));
    conforms(
      'PATCH /api/users/me',
      await http().patch('/api/users/me').set(access).send({ name: 'N' }),
    );
    const sessions = conforms(
      'GET /api/auth/sessions',
      await http().get('/api/auth/sessions').set(access),
    );
    expect(sessions.status).toBe(200);
    conforms(
      'DELETE /api/auth/sessions/:id',
      await http().delete(`/api/auth/sessions/${randomUUID()}`).set(access),
    );
    const refreshed = conforms(
      'POST /api/auth/refresh',
      await http().post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken }),
    );
    conforms(
      'POST /api/auth/refresh',
      await http().post('/api/auth/refresh').send({ refreshToken: 'not-a-token' }),
    );
    conforms('POST /api/auth/refresh', await http().post('/api/auth/refresh').send({}));
    conforms(
      'POST /api/auth/logout',
      await http().post('/api/auth/logout').send({ refreshToken: refreshed.body.refreshToken }),
    );
    conforms(
      'POST /api/auth/logout',
      await http().post('/api/auth/logout').send({ refreshToken: 'not-a-token' }),
    );
    const fresh = bearer(pair.accessToken);
    conforms(
      'POST /api/auth/change-password',
      await http()
        .post('/api/auth/change-password')
        .set(fresh)
        .send({ currentPassword: 'wrong password!', newPassword: 'another good password' }),
    );
    const changed = conforms(
      'POST /api/auth/change-password',
      await http()
        .post('/api/auth/change-password')
        .set(fresh)
        .send({ currentPassword: password, newPassword: 'another good password' }),
    );
    expect(changed.status).toBe(200);
    const current = bearer(changed.body.accessToken);
    conforms('POST /api/auth/logout-all', await http().post('/api/auth/logout-all').set(current));
    conforms(
      'POST /api/auth/password/forgot',
      await http().post('/api/auth/password/forgot').send({ email }),
    );
    conforms(
      'POST /api/auth/password/reset',
      await http()
        .post('/api/auth/password/reset')
        .send({ token: 'x'.repeat(43), password: 'another good password' }),
    );

    const author = bearer((await registerUser(http)).pair.accessToken);
    const created = conforms(
      'POST /api/articles',
      await http().post('/api/articles').set(author).send({ title: 'T', body: 'B' }),
    );
    const id = String(created.body.id);
    conforms('GET /api/articles', await http().get('/api/articles'));
    conforms('GET /api/articles', await http().get('/api/articles?limit=1000'));
    conforms('GET /api/articles/:id', await http().get(`/api/articles/${id}`));
    conforms('GET /api/articles/:id', await http().get(`/api/articles/${randomUUID()}`));
    conforms('GET /api/articles/:id', await http().get('/api/articles/not-a-uuid'));
    conforms(
      'PATCH /api/articles/:id',
      await http().patch(`/api/articles/${id}`).set(access).send({ title: 'Mine' }),
    );
    conforms(
      'PATCH /api/articles/:id',
      await http().patch(`/api/articles/${id}`).set(author).send({ title: 'Mine' }),
    );
    conforms('DELETE /api/articles/:id', await http().delete(`/api/articles/${id}`).set(author));
    conforms('GET /api/admin/users', await http().get('/api/admin/users').set(author));

    const admin = bearer((await loginAdmin(http)).accessToken);
    conforms('GET /api/admin/users', await http().get('/api/admin/users').set(admin));
    conforms(
      'PATCH /api/admin/users/:id',
      await http().patch(`/api/admin/users/${randomUUID()}`).set(admin).send({ disabled: true }),
    );
    conforms(
      'DELETE /api/admin/users/:id/sessions',
      await http().delete(`/api/admin/users/${pair.user.id}/sessions`).set(admin),
    );
    conforms('GET /metrics', await http().get('/metrics').set(admin));
    conforms('GET /metrics', await http().get('/metrics').set(author));

    conforms('GET /api/health', await http().get('/api/health'));
    conforms('GET /.well-known/jwks.json', await http().get('/.well-known/jwks.json'));
    conforms(
      'GET /.well-known/oauth-authorization-server',
      await http().get('/.well-known/oauth-authorization-server'),
    );
    const token = (await registerUser(http)).pair.accessToken;
    conforms(
      'POST /api/oauth/introspect',
      await http().post('/api/oauth/introspect').type(FORM).set('Authorization', CLIENT).send({
        token,
      }),
    );
    conforms(
      'POST /api/oauth/introspect',
      await http().post('/api/oauth/introspect').type(FORM).send({ token }),
    );
    conforms(
      'POST /api/oauth/introspect',
      await http().post('/api/oauth/introspect').set('Authorization', CLIENT).send({ token }),
    );
    conforms(
      'POST /api/oauth/revoke',
      await http().post('/api/oauth/revoke').type(FORM).send({ token }),
    );
    conforms(
      'POST /api/oauth/revoke',
      await http().post('/api/oauth/revoke').type(FORM).set('Authorization', 'Basic eDp5').send({
        token,
      }),
    );

    expect(seen.size).toBeGreaterThanOrEqual(40);
    expect(problems).toEqual([]);
  });

  it('declares the 401 of every protected route and the answer of every public GET', async () => {
    for (const route of routes) {
      const url = fillParams(route.path, randomUUID());
      const verb = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete';
      if (!route.isPublic) conforms(routeKey(route), await t.http()[verb](url).send({}));
      else if (verb === 'get') conforms(routeKey(route), await t.http().get(url));
    }
    expect(problems).toEqual([]);
  });

  it('declares Retry-After on a 429', async () => {
    const limited = await createTestApp({ AUTH_RATE_LIMIT: '1/60s', PUBLIC_URL });
    try {
      const body = { email: uniqueEmail(), password: 'correct horse battery' };
      await limited.http().post('/api/auth/register').send(body).expect(201);
      const res = await limited.http().post('/api/auth/register').send(body);
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      conforms('POST /api/auth/register', res);
      expect(problems).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it('passes Redocly CLI (recommended) and Spectral (spectral:oas) with no problem at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: '1' };
      const redocly = spawnSync(
        'node_modules/.bin/redocly',
        ['lint', file, '--config', 'redocly.yaml', '--format=json'],
        { env, encoding: 'utf8' },
      );
      const report = JSON.parse(redocly.stdout) as {
        totals: { errors: number; warnings: number; ignored: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
      // --quiet: the JSON alone. Findings of any severity, down to hints, count.
      const spectral = spawnSync(
        'node_modules/.bin/spectral',
        ['lint', file, '--ruleset', '.spectral.yaml', '--format', 'json', '--quiet'],
        { encoding: 'utf8' },
      );
      const results = JSON.parse(spectral.stdout || '[]') as { code: string; message: string }[];
      expect(results.map((r) => `${r.code}: ${r.message}`)).toEqual([]);
      expect(spectral.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
