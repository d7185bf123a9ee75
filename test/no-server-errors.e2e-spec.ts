import { randomUUID } from 'node:crypto';
import { bearer, loginAdmin, registerUser, TokenPairBody } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { fillParams, listRoutes, RouteInfo } from './utils/routes';

/**
 * "Nothing ever answers 500 to a client mistake": every route, as an admin with a valid token,
 * gets a battery of malformed bodies, params and queries; every answer must be a 4xx in the
 * contract's error shape (or a 2xx when the odd input happens to be acceptable).
 */
const ODD_BODIES: unknown[] = [
  null,
  [],
  [1, 2],
  'text',
  42,
  true,
  {},
  { email: ['a@b.c'], password: { $gt: '' } },
  { email: 'x'.repeat(10_000), password: 'y'.repeat(10_000), name: 'z'.repeat(10_000) },
  { refreshToken: 12 },
  { refreshToken: ['a'] },
  { refreshToken: 'a.b.c' },
  { currentPassword: null, newPassword: 7 },
  { title: 1, body: false },
  { title: '', body: '' },
  { title: null, body: null },
  { name: null },
  { roles: 'admin', disabled: 'yes' },
  { roles: [null], disabled: 1 },
  { roles: ['admin', 'admin'] },
  { nested: { deep: { deeper: [1, { x: 1 }] } } },
];
const ODD_IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  "' OR 1=1 --",
  '%00',
  'A'.repeat(300),
];
const ODD_QUERIES = [
  'page=-1',
  'page=1.5',
  'limit=0',
  'limit=abc',
  'page[]=1',
  'page=1&page=2',
  'limit=1e3',
  'extra=1',
];

describe('no client mistake answers 5xx (e2e)', () => {
  let t: TestApp;
  let admin: TokenPairBody;
  let routes: RouteInfo[];
  const failures: string[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAdmin(t.http);
    routes = listRoutes(t.app);
  });
  afterAll(() => t.close());

  async function probe(method: string, path: string, body?: unknown, raw?: string) {
    let req = t.http()[method.toLowerCase() as 'post'](path).set(bearer(admin.accessToken));
    if (raw !== undefined) req = req.set('Content-Type', 'application/json').send(raw);
    else if (body !== undefined)
      req = req.set('Content-Type', 'application/json').send(JSON.stringify(body));
    const res = await req;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const shaped =
      res.status < 400 ||
      (typeof res.body?.code === 'string' && res.body.statusCode === res.status) ||
      path === '/api/health';
    if (res.status >= 500 || !shaped) {
      failures.push(
        `${method} ${path} ${raw ?? JSON.stringify(body)?.slice(0, 60)} -> ${res.status}`,
      );
    }
    return res.status;
  }

  it('walks a sensible number of routes', () => {
    expect(routes.length).toBeGreaterThanOrEqual(19);
  });

  it('odd bodies, ids and queries on every route give no 5xx and keep the error shape', async () => {
    const author = await registerUser(t.http);
    let probes = 0;
    for (const route of routes) {
      // Skip the routes that end the admin's own sessions: the probe needs its token.
      if (route.path.endsWith('/logout-all') || route.path.endsWith('/change-password')) continue;
      // A fresh real article per route, so :id routes reach their services too (a DELETE
      // probe must not leave the PATCH probes with nothing but 404s).
      const article = await t
        .http()
        .post('/api/articles')
        .set(bearer(admin.accessToken))
        .send({ title: 't', body: 'b' })
        .expect(201);
      const realIds = [article.body.id, author.pair.user.id];
      const ids = route.path.includes(':') ? [...ODD_IDS, ...realIds, randomUUID()] : [''];
      for (const id of ids) {
        const path = fillParams(route.path, encodeURIComponent(id));
        if (['POST', 'PATCH', 'PUT'].includes(route.method)) {
          for (const body of ODD_BODIES) {
            await probe(route.method, path, body);
            probes++;
          }
          await probe(route.method, path, undefined, '{"a":');
          probes++;
        } else {
          for (const query of ['', ...ODD_QUERIES]) {
            await probe(route.method, query ? `${path}?${query}` : path);
            probes++;
          }
        }
      }
    }
    expect(probes).toBeGreaterThan(300);
    expect(failures).toEqual([]);
    // The probes reached validation and handlers, not just the guard: the token still works,
    // and the answers are a mix of 400s, 404s and successes rather than all 401.
    await t.http().get('/api/users/me').set(bearer(admin.accessToken)).expect(200);
    for (const status of [200, 400, 404]) expect(statuses.get(status) ?? 0).toBeGreaterThan(5);
  }, 60_000);
});
