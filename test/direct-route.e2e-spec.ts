import { isServedDirectly } from '../src/common/http/direct-route';
import { registerUser, signTestToken } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

/**
 * POST /api/auth/refresh is served by direct-route.ts (its guards and filter without Nest's
 * router). The same requests sent to that app and to one that routes refresh through Nest must
 * get the same answers: status, body (tokens and request ids aside) and headers.
 */
describe('refresh served directly answers as through Nest (e2e)', () => {
  // A small budget, so that the rate limit is reached too: refresh gets 10 × 3 per minute.
  const env = { AUTH_RATE_LIMIT: '3/60s', CORS_ORIGINS: 'https://app.example.com' };
  let direct: TestApp;
  let nest: TestApp;

  beforeAll(async () => {
    direct = await createTestApp(env);
    nest = await createTestApp(env, { directRoutes: false });
  });
  afterAll(async () => {
    await direct?.close();
    await nest?.close();
  });

  const fastifyOf = (app: TestApp) => app.app.getHttpAdapter().getInstance();

  it('serves refresh directly in one app and through Nest in the other', () => {
    expect(isServedDirectly(fastifyOf(direct), 'POST', '/api/auth/refresh')).toBe(true);
    expect(isServedDirectly(fastifyOf(nest), 'POST', '/api/auth/refresh')).toBe(false);
  });

  /** What must be equal: tokens, ids and emails replaced by their shape; dates, lengths left out. */
  function normalize(res: { status: number; body: unknown; headers: Record<string, unknown> }) {
    const shape = (value: unknown): unknown =>
      typeof value === 'string' && /^eyJ/.test(value)
        ? '<jwt>'
        : Array.isArray(value)
          ? value.map(shape)
          : value && typeof value === 'object'
            ? Object.fromEntries(
                Object.entries(value)
                  .filter(([key]) => key !== 'requestId')
                  .map(([key, v]) => [
                    key,
                    ['id', 'createdAt', 'email'].includes(key) ? '<varies>' : shape(v),
                  ]),
              )
            : value;
    const headers = Object.fromEntries(
      Object.entries(res.headers)
        .filter(([name]) => !['date', 'content-length', 'x-request-id'].includes(name))
        .map(([name, value]) => [
          name,
          name === 'set-cookie'
            ? (value as string[]).map((cookie) => cookie.replace(/=[^;]*;/, '=<value>;'))
            : value,
        ]),
    );
    // A 429's seconds may differ by one between two apps whose windows began apart.
    if (res.status === 429) {
      expect(String(headers['retry-after'])).toMatch(/^[1-9]\d*$/);
      headers['retry-after'] = '<seconds>';
      const body = res.body as { message: string };
      body.message = body.message.replace(/\d+ seconds?/, '<seconds>');
    }
    return { status: res.status, body: shape(res.body), headers };
  }

  /** Sends `send` to both apps, each with its own user's tokens; the answers must match. */
  async function same(
    label: string,
    send: (app: TestApp, tokens: { refreshToken: string; accessToken: string }) => Promise<any>,
    tokens: Map<TestApp, { refreshToken: string; accessToken: string }>,
  ) {
    const [a, b] = await Promise.all(
      [direct, nest].map(async (app) => normalize(await send(app, tokens.get(app)!))),
    );
    expect({ label, ...a }).toEqual({ label, ...b });
    return a;
  }

  it('answers every kind of request the same, up to its rate limit', async () => {
    const tokens = new Map<TestApp, { refreshToken: string; accessToken: string }>();
    for (const app of [direct, nest]) tokens.set(app, (await registerUser(app.http)).pair);
    const statuses: number[] = [];
    const run = async (label: string, send: Parameters<typeof same>[1]) =>
      statuses.push((await same(label, send, tokens)).status);

    await run('body token', async (app, t) => {
      const res = await app.http().post('/api/auth/refresh').send({ refreshToken: t.refreshToken });
      tokens.set(app, { ...t, refreshToken: res.body.refreshToken ?? t.refreshToken });
      return res;
    });
    await run('cookie token', async (app, t) => {
      const res = await app
        .http()
        .post('/api/auth/refresh')
        .set('Cookie', `refresh_token=${t.refreshToken}`);
      tokens.set(app, { ...t, refreshToken: res.body.refreshToken ?? t.refreshToken });
      return res;
    });
    await run('cookie from an allowed origin', (app, t) =>
      app
        .http()
        .post('/api/auth/refresh')
        .set('Origin', 'https://app.example.com')
        .set('Cookie', `refresh_token=${t.refreshToken}`),
    );
    await run('cookie from another origin', (app, t) =>
      app
        .http()
        .post('/api/auth/refresh')
        .set('Origin', 'https://evil.example.com')
        .set('Cookie', `refresh_token=${t.refreshToken}`),
    );
    await run('no token', (app) => app.http().post('/api/auth/refresh').send({}));
    await run('no body', (app) => app.http().post('/api/auth/refresh'));
    await run('garbage token', (app) =>
      app.http().post('/api/auth/refresh').send({ refreshToken: 'not-a-jwt' }),
    );
    await run('access token as refresh token', (app, t) =>
      app.http().post('/api/auth/refresh').send({ refreshToken: t.accessToken }),
    );
    await run('forged refresh token', (app) =>
      app
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: signTestToken({ sub: 'x', sid: 'y' }, { key: 'refresh' }) }),
    );
    await run('token too long', (app) =>
      app
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: `eyJ${'a'.repeat(5000)}` }),
    );
    await run('wrong type', (app) =>
      app.http().post('/api/auth/refresh').send({ refreshToken: 42 }),
    );
    await run('extra property', (app, t) =>
      app.http().post('/api/auth/refresh').send({ refreshToken: t.refreshToken, role: 'admin' }),
    );
    await run('array body', (app) => app.http().post('/api/auth/refresh').send([]));
    await run('text body', (app) =>
      app.http().post('/api/auth/refresh').set('Content-Type', 'text/plain').send('x'),
    );
    // The spent token of the first request, inside REFRESH_REUSE_GRACE: the same successor.
    await run('replay inside the grace', async (app, t) => {
      const first = await app
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: t.refreshToken });
      const again = await app
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: t.refreshToken });
      expect(again.body.refreshToken).toBe(first.body.refreshToken);
      return again;
    });
    // After the grace: reuse, the session ends; its live token is refused from then on.
    await run('replay after the grace', async (app, t) => {
      const next = await app
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: t.refreshToken });
      app.clock.advance(11);
      const reuse = await app
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: t.refreshToken });
      expect(reuse.status).toBe(401);
      tokens.set(app, { ...t, refreshToken: next.body.refreshToken });
      return reuse;
    });
    await run('token of an ended session', (app, t) =>
      app.http().post('/api/auth/refresh').send({ refreshToken: t.refreshToken }),
    );
    let limited = 0;
    for (let i = 0; i < 40 && limited === 0; i++) {
      await run(`attempt ${i} toward the limit`, (app) =>
        app.http().post('/api/auth/refresh').send({ refreshToken: 'not-a-jwt' }),
      );
      if (statuses[statuses.length - 1] === 429) limited++;
    }
    // Every path was taken: successes, each kind of refusal, and the rate limit.
    expect(new Set(statuses)).toEqual(new Set([200, 400, 401, 403, 415, 429]));
  });
});
