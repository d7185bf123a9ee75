import type { Response } from 'supertest';
import { bearer, registerUser, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

const BODY_LIMIT = 102_400;

/** Markers of internals that must never reach a client in an error body. */
const LEAK_PATTERNS: RegExp[] = [
  /stack/i,
  /SELECT/,
  /QueryFailedError/,
  /node_modules/,
  /\/(src|dist|work|home|usr)\//,
  /\.(ts|js):\d+/,
  /[A-Za-z]:\\/,
];

function expectErrorShape(res: Response, statusCode: number, code: string): void {
  expect(res.status).toBe(statusCode);
  expect(res.body).toMatchObject({ statusCode, code, error: expect.any(String) });
  // The contract's four fields, plus the request's id (also its X-Request-Id header).
  expect(Object.keys(res.body).sort()).toEqual([
    'code',
    'error',
    'message',
    'requestId',
    'statusCode',
  ]);
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
  expect(res.headers['x-powered-by']).toBeUndefined();
}

function expectNoLeak(res: Response): void {
  const text = res.text ?? '';
  for (const pattern of LEAK_PATTERNS) {
    expect({ status: res.status, leak: pattern.test(text) ? text : null }).toEqual({
      status: res.status,
      leak: null,
    });
  }
}

describe('error handling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers malformed JSON with 400 validation_failed and a message array', async () => {
    const res = await t
      .http()
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@example.com", "password": ');
    expectErrorShape(res, 400, 'validation_failed');
    expect(res.body.error).toBe('Bad Request');
    expect(Array.isArray(res.body.message)).toBe(true);
    expect(res.body.message.length).toBeGreaterThan(0);
    res.body.message.forEach((m: unknown) => expect(typeof m).toBe('string'));
    expectNoLeak(res);
  });

  it('answers a body over 102400 bytes with 413 payload_too_large', async () => {
    const payload = JSON.stringify({
      email: uniqueEmail(),
      password: 'long-enough-pass',
      name: 'x'.repeat(BODY_LIMIT),
    });
    expect(Buffer.byteLength(payload)).toBeGreaterThan(BODY_LIMIT);
    const res = await t
      .http()
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(payload);
    expectErrorShape(res, 413, 'payload_too_large');
    expect(typeof res.body.message).toBe('string');
  });

  it('accepts a JSON body just under the limit as far as the parser goes (no 413)', async () => {
    const { pair } = await registerUser(t.http);
    const body = JSON.stringify({ title: 't', body: 'x'.repeat(20_000) });
    const res = await t
      .http()
      .post('/api/articles')
      .set(bearer(pair.accessToken))
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(201);
  });

  it('answers a non-empty text/plain body with 415 unsupported_media_type', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'text/plain')
      .send('email=a@example.com&password=whatever');
    expectErrorShape(res, 415, 'unsupported_media_type');
    expectNoLeak(res);
  });

  it('answers a non-empty form-encoded body with 415 unsupported_media_type', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('email=a%40example.com&password=whatever');
    expectErrorShape(res, 415, 'unsupported_media_type');
  });

  it('lets an empty body through without a content type (logout → refresh_token_missing, not 415)', async () => {
    const res = await t.http().post('/api/auth/logout');
    expectErrorShape(res, 401, 'refresh_token_missing');
  });

  it('treats application/json with an empty body as no body (logout → refresh_token_missing)', async () => {
    const res = await t.http().post('/api/auth/logout').set('Content-Type', 'application/json');
    expectErrorShape(res, 401, 'refresh_token_missing');
  });

  it('answers an unknown route with 404 not_found in the error shape', async () => {
    const res = await t.http().get('/api/does-not-exist');
    expectErrorShape(res, 404, 'not_found');
    expect(res.body.error).toBe('Not Found');
    expect(typeof res.body.message).toBe('string');
    expectNoLeak(res);
  });

  it('answers a route outside the prefix with 404 not_found in the error shape', async () => {
    const res = await t.http().post('/nothing/here').send({});
    expectErrorShape(res, 404, 'not_found');
  });

  it('refuses a __proto__ key in a JSON body with 400, not 500', async () => {
    const res = await t
      .http()
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(
        `{"email":"${uniqueEmail()}","password":"long-enough-pass","__proto__":{"roles":["admin"]}}`,
      );
    expectErrorShape(res, 400, 'validation_failed');
    expectNoLeak(res);
  });

  it('refuses a constructor.prototype key in a JSON body with 400, not 500', async () => {
    const res = await t
      .http()
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(
        `{"email":"${uniqueEmail()}","password":"long-enough-pass","constructor":{"prototype":{"roles":["admin"]}}}`,
      );
    expectErrorShape(res, 400, 'validation_failed');
  });

  it('never sends X-Powered-By nor leaks internals, on success and on any error', async () => {
    const { pair } = await registerUser(t.http);
    const responses: Response[] = [
      await t.http().get('/api/health'),
      await t.http().get('/api/articles'),
      await t.http().get('/api/users/me').set(bearer(pair.accessToken)),
      await t.http().get('/api/users/me'),
      await t.http().get('/api/users/me').set(bearer('abc.def.ghi')),
      await t.http().get('/api/articles/not-a-uuid'),
      await t.http().get('/api/articles/00000000-0000-4000-8000-000000000000'),
      await t.http().get('/api/articles?page=0&limit=abc'),
      await t
        .http()
        .post('/api/auth/login')
        .send({ email: 'nobody@example.com', password: 'wrongwrong' }),
      await t
        .http()
        .post('/api/auth/login')
        .send({ email: 42, password: ['x'] }),
      await t.http().post('/api/auth/register').send({ email: "x' OR 1=1 --", password: 'p' }),
      await t.http().post('/api/auth/refresh').send({ refreshToken: 'garbage' }),
      await t.http().get('/api/admin/users').set(bearer(pair.accessToken)),
      await t.http().delete('/api/articles'),
      await t.http().get('/docs-json'),
    ];
    for (const res of responses) {
      expect(res.headers['x-powered-by']).toBeUndefined();
      if (res.status >= 400) {
        expect(res.body).toMatchObject({ statusCode: res.status, code: expect.any(String) });
        expectNoLeak(res);
      }
    }
    expect(responses.filter((res) => res.status >= 400).length).toBeGreaterThanOrEqual(10);
  });
});

describe('database unavailable', () => {
  let t: TestApp;
  let accessToken: string;
  let email: string;
  let password: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({
      email,
      password,
      pair: { accessToken },
    } = await registerUser(t.http));
    await t.dataSource.destroy();
  });
  afterAll(() => t.close());

  it('answers a DB-backed route with 503 service_unavailable in the error shape', async () => {
    const res = await t.http().get('/api/articles');
    expectErrorShape(res, 503, 'service_unavailable');
    expect(res.body.error).toBe('Service Unavailable');
    expectNoLeak(res);
  });

  it('answers a protected route with a valid token with 503 (the session lookup needs the DB)', async () => {
    const res = await t.http().get('/api/users/me').set(bearer(accessToken));
    expectErrorShape(res, 503, 'service_unavailable');
    expectNoLeak(res);
  });

  it('answers login with 503 service_unavailable', async () => {
    const res = await t.http().post('/api/auth/login').send({ email, password });
    expectErrorShape(res, 503, 'service_unavailable');
    expectNoLeak(res);
  });

  it('answers GET /api/health with 503 {"status":"error","db":"down"}', async () => {
    const res = await t.http().get('/api/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'error', db: 'down' });
  });

  it('still serves a route that needs no database (GET /docs-json)', async () => {
    const res = await t.http().get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
  });
});
