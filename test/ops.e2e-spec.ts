import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Response } from 'supertest';
import { ArticlesService } from '../src/articles/articles.service';
import { loadAppConfig } from '../src/config/app.config';
import { bearer, DEFAULT_PASSWORD, login, loginAdmin, registerUser } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { LogCapture } from './utils/log-capture';
import { listenLocal, rawRequest } from './utils/raw-http';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PROMETHEUS_TEXT = /^text\/plain; version=0\.0\.4; charset=utf-8$/;

/** The request's id as the client sees it: the header, and the same id in an error body. */
function requestIdOf(res: Response): string {
  const id = res.headers['x-request-id'] as string | undefined;
  expect(id).toEqual(expect.any(String));
  if (res.status >= 400 && res.type === 'application/json') {
    expect(res.body.requestId).toBe(id);
  }
  return id as string;
}

/** One sample's value from the Prometheus text, e.g. `auth_logins_total{outcome="success"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no sample ${series} in:\n${text}`);
  return Number(line.slice(series.length + 1));
}

describe('request ids (e2e)', () => {
  const logs = new LogCapture();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'info' }, { logs });
  });
  afterAll(() => t.close());

  it('gives every response a fresh UUID as X-Request-Id, and each error body the same requestId', async () => {
    const ok = await t.http().get('/api/health').expect(200);
    const unauthorized = await t.http().get('/api/users/me').expect(401);
    const notFound = await t.http().get('/api/no-such-route').expect(404);
    const invalid = await t.http().get('/api/articles/not-a-uuid').expect(400);
    const ids = [ok, unauthorized, notFound, invalid].map(requestIdOf);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    // The contract's four fields keep their meaning; requestId is the one addition.
    expect(Object.keys(unauthorized.body).sort()).toEqual(
      ['code', 'error', 'message', 'requestId', 'statusCode'].sort(),
    );
    expect(unauthorized.body).toMatchObject({ statusCode: 401, code: 'token_missing' });
  });

  it('keeps an incoming X-Request-Id that is a short safe token', async () => {
    for (const id of ['abc', 'trace-0f9e.8d_7C', 'x'.repeat(64), randomUUID()]) {
      const res = await t.http().get('/api/users/me').set('X-Request-Id', id).expect(401);
      expect(requestIdOf(res)).toBe(id);
    }
  });

  it('replaces an unsafe or oversized X-Request-Id with a UUID', async () => {
    for (const id of ['x'.repeat(65), 'has space', 'a"b', '<script>', 'a,b', 'ü', '']) {
      const res = await t.http().get('/api/users/me').set('X-Request-Id', id).expect(401);
      const echoed = requestIdOf(res);
      expect({ id, echoed: UUID.test(echoed) }).toEqual({ id, echoed: true });
    }
  });

  it('puts the id on every log line written while handling the request, audit lines included', async () => {
    const { email } = await registerUser(t.http);
    const id = `login-${randomUUID().slice(0, 8)}`;
    logs.clear();
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('X-Request-Id', id)
      .send({ email, password: 'wrong-password-0f9e8d' })
      .expect(401);
    expect(requestIdOf(res)).toBe(id);
    const entries = logs.entries();
    // The audit line comes after the body was parsed and bcrypt ran in a worker thread.
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'auth.login.failed', requestId: id }),
        expect.objectContaining({ msg: 'request completed', requestId: id }),
      ]),
    );
    // Lines of other requests' work may interleave: the register's verification mail, sent by
    // the outbox after the register answered (it keeps the register's id). All the others are
    // this request's.
    const own = entries.filter(
      (entry) => !['OutboxService', 'Mail'].includes(String(entry.context)),
    );
    expect(own.length).toBeGreaterThanOrEqual(2);
    for (const entry of own) expect(entry).toMatchObject({ requestId: id });
  });

  it('logs an unexpected error with the id the client got in its 500', async () => {
    const findAll = jest
      .spyOn(t.app.get(ArticlesService), 'findAll')
      .mockRejectedValueOnce(new Error('simulated failure'));
    logs.clear();
    try {
      const res = await t.http().get('/api/articles').expect(500);
      const id = requestIdOf(res);
      expect(res.body).toMatchObject({ code: 'internal_error', requestId: id });
      const errors = logs.entries().filter((entry) => entry.level === 50);
      expect(errors).toEqual([
        expect.objectContaining({ context: 'ExceptionFilter', requestId: id }),
      ]);
      expect(errors[0].msg).toContain(id);
    } finally {
      findAll.mockRestore();
    }
  });

  it('logs "request completed" with method, URL and status only: no headers, no cookie', async () => {
    const { pair } = await registerUser(t.http);
    logs.clear();
    const res = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    const [completed] = logs.entries().filter((entry) => entry.msg === 'request completed');
    expect(completed).toEqual({
      level: 30,
      time: expect.any(Number),
      context: 'HTTP',
      requestId: requestIdOf(res),
      req: { method: 'GET', url: '/api/users/me' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    const raw = logs.lines.filter((line) => line.includes('"request completed"'));
    expect(raw).toHaveLength(1);
    expect(raw[0].match(/"msg":/g)).toHaveLength(1);
    expect(logs.text()).not.toContain(pair.accessToken);
  });

  it('answers errors raised before Nest (Host check) with the id too', async () => {
    const port = await listenLocal(t);
    // HTTP/1.1 without Host: a raw socket, since every client library adds one.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'GET /api/health HTTP/1.1\r\nX-Request-Id: no-host-1\r\nConnection: close\r\n\r\n',
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString('utf8')));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/\r\nx-request-id: no-host-1\r\n/i);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({
      statusCode: 400,
      code: 'validation_failed',
      requestId: 'no-host-1',
    });
    expect((await rawRequest(port, 'GET', '/api/health')).headers['x-request-id']).toMatch(UUID);
  });
});

describe('request logging at LOG_LEVEL=warn (e2e)', () => {
  // Captures every level: whatever the app writes at LOG_LEVEL=warn lands here.
  const logs = new LogCapture();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'warn' }, { logs });
  });
  afterAll(() => t.close());

  it('writes no "request completed" line, and still tags a warning with its request id', async () => {
    const { pair } = await registerUser(t.http);
    await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    await t.http().get('/api/articles').expect(200);
    expect(logs.events('auth.register')).toHaveLength(1);
    expect(logs.entries().filter((entry) => entry.context === 'HTTP')).toEqual([]);

    await t.http().post('/api/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(200);
    t.clock.advance(11);
    const reused = await t
      .http()
      .post('/api/auth/refresh')
      .send({ refreshToken: pair.refreshToken })
      .expect(401);
    expect(logs.events('auth.refresh.reuse_detected')).toEqual([
      expect.objectContaining({ level: 40, requestId: requestIdOf(reused) }),
    ]);
  });
});

describe('health on @nestjs/terminus (e2e)', () => {
  const logs = new LogCapture();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { logs });
  });
  afterAll(() => t.close());

  it('answers 200 {"status":"ok","db":"up"}, not cached', async () => {
    const res = await t.http().get('/api/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', db: 'up' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 {"status":"error","db":"down"} once the database is gone, without logging an error', async () => {
    await t.dataSource.destroy();
    logs.clear();
    const res = await t.http().get('/api/health').expect(503);
    expect(res.body).toEqual({ status: 'error', db: 'down' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/database|stack|Error/);
    expect(logs.entries().filter((entry) => entry.level >= 50)).toEqual([]);
  });
});

describe('metrics (e2e)', () => {
  let t: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    t = await createTestApp();
    adminToken = (await loginAdmin(t.http)).accessToken;
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const res = await t.http().get('/metrics').set(bearer(adminToken)).expect(200);
    return res.text;
  };

  it('serves the Prometheus text format to an admin, uncached, outside /api', async () => {
    const res = await t.http().get('/metrics').set(bearer(adminToken)).expect(200);
    expect(res.headers['content-type']).toMatch(PROMETHEUS_TEXT);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const name of [
      'auth_logins_total',
      'auth_refreshes_total',
      'auth_refresh_reuse_detected_total',
      'http_unauthorized_total',
      'http_request_duration_seconds',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
      'bcrypt_pool_workers',
      'bcrypt_pool_queued_jobs',
      'bcrypt_pool_rejected_total',
    ]) {
      expect(res.text).toContain(`# TYPE ${name} `);
    }
    // The admin's login ran a bcrypt comparison: the pool has a worker, and its queue a limit.
    expect(sample(res.text, 'bcrypt_pool_workers')).toBeGreaterThanOrEqual(1);
    expect(sample(res.text, 'bcrypt_pool_queue_limit')).toBeGreaterThan(0);
    expect(sample(res.text, 'bcrypt_pool_rejected_total')).toBe(0);
    await t.http().get('/api/metrics').set(bearer(adminToken)).expect(404);
  });

  it('answers 401 without a token (with the Bearer challenge) and 403 forbidden to a non-admin', async () => {
    const anonymous = await t.http().get('/metrics').expect(401);
    expect(anonymous.body).toMatchObject({ statusCode: 401, code: 'token_missing' });
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="api"');
    const garbage = await t.http().get('/metrics').set(bearer('not-a-jwt')).expect(401);
    expect(garbage.body).toMatchObject({ code: 'token_invalid' });
    const { pair } = await registerUser(t.http);
    const user = await t.http().get('/metrics').set(bearer(pair.accessToken)).expect(403);
    expect(user.body).toMatchObject({ statusCode: 403, code: 'forbidden' });
    expect(user.text).not.toContain('auth_logins_total');
  });

  it('counts logins, refreshes, reuse and 401s by outcome and code', async () => {
    const { email, pair } = await registerUser(t.http);
    const before = await scrape();
    await login(t.http, email, DEFAULT_PASSWORD);
    await t.http().post('/api/auth/login').send({ email, password: 'wrong-password!' }).expect(401);
    await t.http().post('/api/auth/login').send({ email: 'not-an-email' }).expect(400);
    await t.http().post('/api/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(200);
    await t.http().post('/api/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(200);
    await t.http().post('/api/auth/refresh').send({ refreshToken: 'garbage' }).expect(401);
    await t.http().post('/api/auth/refresh').send({}).expect(401);
    t.clock.advance(11);
    await t.http().post('/api/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
    await t.http().get('/api/users/me').expect(401);
    const after = await scrape();

    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect({
      loginSuccess: delta('auth_logins_total{outcome="success"}'),
      loginInvalid: delta('auth_logins_total{outcome="invalid_credentials"}'),
      loginInvalidRequest: delta('auth_logins_total{outcome="invalid_request"}'),
      loginDisabled: delta('auth_logins_total{outcome="user_disabled"}'),
      refreshSuccess: delta('auth_refreshes_total{outcome="success"}'),
      refreshGrace: delta('auth_refreshes_total{outcome="grace"}'),
      refreshInvalid: delta('auth_refreshes_total{outcome="invalid"}'),
      refreshMissing: delta('auth_refreshes_total{outcome="missing"}'),
      refreshReused: delta('auth_refreshes_total{outcome="reused"}'),
      reuseDetected: delta('auth_refresh_reuse_detected_total'),
      unauthorizedCredentials: delta('http_unauthorized_total{code="invalid_credentials"}'),
      unauthorizedReused: delta('http_unauthorized_total{code="refresh_token_reused"}'),
      unauthorizedMissing: delta('http_unauthorized_total{code="token_missing"}'),
      unauthorizedExpired: delta('http_unauthorized_total{code="token_expired"}'),
    }).toEqual({
      loginSuccess: 1,
      loginInvalid: 1,
      loginInvalidRequest: 1,
      loginDisabled: 0,
      refreshSuccess: 1,
      refreshGrace: 1,
      refreshInvalid: 1,
      refreshMissing: 1,
      refreshReused: 1,
      reuseDetected: 1,
      unauthorizedCredentials: 1,
      unauthorizedReused: 1,
      unauthorizedMissing: 1,
      unauthorizedExpired: 0,
    });
  });

  it('labels latency by route pattern and status, never by the raw URL', async () => {
    const id = randomUUID();
    await t.http().get(`/api/articles/${id}`).expect(404);
    await t.http().get(`/api/articles/${id}`).expect(404);
    await t.http().get(`/api/nothing-here/${id}`).expect(404);
    const text = await scrape();
    expect(text).not.toContain(id);
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="/api/articles/:id",status_code="404"}',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((match) => match[1]));
    for (const route of routes)
      expect(route).toMatch(/^(\/[a-z-]*(\/(:[a-zA-Z]+|[a-z-]+))*|unmatched)$/);
  });
});

describe('metrics with METRICS_PUBLIC=true (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ METRICS_PUBLIC: 'true' });
  });
  afterAll(() => t.close());

  it('serves /metrics without a token', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(PROMETHEUS_TEXT);
    expect(res.text).toContain('# TYPE auth_logins_total counter');
  });

  it('still refuses METRICS_PUBLIC values other than true or false at start', () => {
    expect(loadAppConfig({ METRICS_PUBLIC: 'TRUE' }).metricsPublic).toBe(true);
    expect(loadAppConfig({ METRICS_PUBLIC: 'false' }).metricsPublic).toBe(false);
    expect(loadAppConfig({}).metricsPublic).toBe(false);
    for (const value of ['yes', '1', 'on']) {
      expect(() => loadAppConfig({ METRICS_PUBLIC: value })).toThrow(/METRICS_PUBLIC/);
    }
  });
});
