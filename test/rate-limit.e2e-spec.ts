import { createServer, Server, Socket } from 'node:net';
import request from 'supertest';
import { PasswordHasher } from '../src/auth/password/password-hasher.service';
import { DEFAULT_PASSWORD, TokenPairBody, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

/**
 * AUTH_RATE_LIMIT=N/window (contract: login N per (IP, email), register N per IP, refresh 10×N
 * per IP; every attempt counts) plus our per-IP login ceiling of 10×N. In-memory counts here;
 * test/cluster/rate-limit.cluster-spec.ts checks the counts shared through Redis.
 */
const N = 3;
const WRONG = 'wrong password 123';

let ipSeq = 0;
/** A client address no other test uses (TRUST_PROXY=1 takes it from X-Forwarded-For). */
const nextIp = () => `203.0.113.${++ipSeq}`;

function expectTooManyRequests(res: request.Response, windowSeconds: number): number {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({
    statusCode: 429,
    error: 'Too Many Requests',
    code: 'too_many_requests',
    message: expect.any(String),
    requestId: res.headers['x-request-id'],
  });
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  return retryAfter;
}

function loginFrom(t: TestApp, ip: string | null, email: unknown, password: unknown = WRONG) {
  const req = t.http().post('/api/auth/login');
  if (ip) void req.set('X-Forwarded-For', ip);
  return req.send({ email, password });
}

async function registerFrom(t: TestApp, ip: string | null, email = uniqueEmail('rl')) {
  const req = t.http().post('/api/auth/register');
  if (ip) void req.set('X-Forwarded-For', ip);
  const res = await req.send({ email, password: DEFAULT_PASSWORD });
  expect(res.status).toBe(201);
  return { email, pair: res.body as TokenPairBody };
}

describe('rate limits (AUTH_RATE_LIMIT=3/60s, TRUST_PROXY=1, in memory)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT: `${N}/60s`, TRUST_PROXY: '1', REDIS_URL: '' });
  });
  afterAll(() => t.close());

  it('login: N attempts per (IP, email), successful or not; the next is 429 with Retry-After', async () => {
    const { email } = await registerFrom(t, nextIp());
    const ip = nextIp();
    expect((await loginFrom(t, ip, email, DEFAULT_PASSWORD)).status).toBe(200);
    expect((await loginFrom(t, ip, email)).status).toBe(401);
    expect((await loginFrom(t, ip, email)).status).toBe(401);
    // The right password does not get through either, and variants of the email are one key.
    expectTooManyRequests(await loginFrom(t, ip, email, DEFAULT_PASSWORD), 60);
    expectTooManyRequests(await loginFrom(t, ip, `  ${email.toUpperCase()} `, WRONG), 60);

    // Another email from the same IP is a different pair (until the per-IP ceiling).
    const other = await loginFrom(t, ip, uniqueEmail('rl-other'));
    expect(other.status).toBe(401);
    expect(other.body.code).toBe('invalid_credentials');
    // With TRUST_PROXY the client IP comes from X-Forwarded-For: another client, its own count.
    expect((await loginFrom(t, nextIp(), email, DEFAULT_PASSWORD)).status).toBe(200);
  });

  it('login: one IP gets 10×N attempts in all, over any emails; then 429 for every email', async () => {
    const ip = nextIp();
    for (let i = 0; i < 10 * N; i++) {
      const res = await loginFrom(t, ip, uniqueEmail('spray'));
      expect(res.status).toBe(401);
    }
    expectTooManyRequests(await loginFrom(t, ip, uniqueEmail('spray')), 60);
    expect((await loginFrom(t, nextIp(), uniqueEmail('spray'))).status).toBe(401);
  });

  it('login: a body without a string email counts against the IP and still gets its 400', async () => {
    const ip = nextIp();
    const bodies: unknown[] = [
      {},
      { email: 42, password: WRONG },
      { email: null },
      { password: 1 },
    ];
    for (let i = 0; i < 10 * N; i++) {
      const res = await t
        .http()
        .post('/api/auth/login')
        .set('X-Forwarded-For', ip)
        .send(bodies[i % bodies.length] as object);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expectTooManyRequests(await loginFrom(t, ip, { not: 'an email' }), 60);
    expectTooManyRequests(await loginFrom(t, ip, uniqueEmail('after-400s')), 60);
  });

  it('register: N per IP whatever the emails; the next is 429 and creates no account', async () => {
    const ip = nextIp();
    for (let i = 0; i < N; i++) await registerFrom(t, ip);
    const email = uniqueEmail('rl-refused');
    const refused = await t
      .http()
      .post('/api/auth/register')
      .set('X-Forwarded-For', ip)
      .send({ email, password: DEFAULT_PASSWORD });
    expectTooManyRequests(refused, 60);
    const rows = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [email]);
    expect(rows).toHaveLength(0);
    await registerFrom(t, nextIp(), email);
  });

  it('refresh: 10×N per IP; the limit is checked before the token, which stays unspent', async () => {
    const { pair } = await registerFrom(t, nextIp());
    const ip = nextIp();
    for (let i = 0; i < 10 * N; i++) {
      const res = await t
        .http()
        .post('/api/auth/refresh')
        .set('X-Forwarded-For', ip)
        .send({ refreshToken: `not-a-token-${i}` });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('refresh_token_invalid');
    }
    const refused = await t
      .http()
      .post('/api/auth/refresh')
      .set('X-Forwarded-For', ip)
      .send({ refreshToken: pair.refreshToken });
    expectTooManyRequests(refused, 60);
    const elsewhere = await t
      .http()
      .post('/api/auth/refresh')
      .set('X-Forwarded-For', nextIp())
      .send({ refreshToken: pair.refreshToken });
    expect(elsewhere.status).toBe(200);
  });

  it('a refused login does no password work (no bcrypt, known email or not)', async () => {
    const { email } = await registerFrom(t, nextIp());
    const ip = nextIp();
    for (let i = 0; i < N; i++) expect((await loginFrom(t, ip, email)).status).toBe(401);
    const hasher = t.app.get(PasswordHasher);
    const compare = jest.spyOn(hasher, 'compare');
    const dummy = jest.spyOn(hasher, 'compareWithDummy');
    try {
      expectTooManyRequests(await loginFrom(t, ip, email, DEFAULT_PASSWORD), 60);
      expect(compare).not.toHaveBeenCalled();
      expect(dummy).not.toHaveBeenCalled();
      // The spies do see a login that is let through.
      expect((await loginFrom(t, nextIp(), email)).status).toBe(401);
      expect(compare).toHaveBeenCalledTimes(1);
    } finally {
      compare.mockRestore();
      dummy.mockRestore();
    }
  });

  it('change-password: N per session from any IPs, before the password check; other sessions unaffected', async () => {
    const { email, pair } = await registerFrom(t, nextIp());
    const change = (token: string, currentPassword: string, ip = nextIp()) =>
      t
        .http()
        .post('/api/auth/change-password')
        .set('X-Forwarded-For', ip)
        .set('Authorization', `Bearer ${token}`)
        .send({ currentPassword, newPassword: 'a brand new password 1' });
    // A thief with the access token guesses the current password, from a new IP each time.
    for (let i = 0; i < N; i++) {
      const res = await change(pair.accessToken, `${WRONG} ${i}`);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('invalid_current_password');
    }
    const hasher = t.app.get(PasswordHasher);
    const compare = jest.spyOn(hasher, 'compare');
    try {
      // Even the right password: refused before bcrypt, and the password is unchanged.
      expectTooManyRequests(await change(pair.accessToken, DEFAULT_PASSWORD), 60);
      expect(compare).not.toHaveBeenCalled();
    } finally {
      compare.mockRestore();
    }
    // A refreshed access token is the same session: still refused.
    const refreshed = await t
      .http()
      .post('/api/auth/refresh')
      .set('X-Forwarded-For', nextIp())
      .send({ refreshToken: pair.refreshToken });
    expect(refreshed.status).toBe(200);
    expectTooManyRequests(await change(refreshed.body.accessToken, DEFAULT_PASSWORD), 60);
    // The owner's other session (a fresh login) has its own budget and changes the password.
    const login = await loginFrom(t, nextIp(), email, DEFAULT_PASSWORD);
    expect(login.status).toBe(200);
    const changed = await change(login.body.accessToken, DEFAULT_PASSWORD);
    expect(changed.status).toBe(200);
  });

  it('routes without @RateLimit are not counted (logout)', async () => {
    const ip = nextIp();
    for (let i = 0; i < 10 * N + 1; i++) {
      const res = await t
        .http()
        .post('/api/auth/logout')
        .set('X-Forwarded-For', ip)
        .send({ refreshToken: 'not-a-token' });
      expect(res.status).toBe(401);
    }
  });
});

describe('rate limits without TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT: `${N}/60s`, REDIS_URL: '' });
  });
  afterAll(() => t.close());

  it('ignore X-Forwarded-For: a spoofed header does not reset the count', async () => {
    const email = uniqueEmail('spoof');
    for (let i = 0; i < N; i++) {
      expect((await loginFrom(t, `198.51.100.${i + 1}`, email)).status).toBe(401);
    }
    expectTooManyRequests(await loginFrom(t, '198.51.100.99', email), 60);
    expectTooManyRequests(await loginFrom(t, null, email), 60);
  });
});

describe('rate limits over a short window (AUTH_RATE_LIMIT=3/2s)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT: `${N}/2s`, REDIS_URL: '' });
  });
  afterAll(() => t.close());

  it('a locked-out owner logs in again once Retry-After has passed', async () => {
    const { email } = await registerFrom(t, null);
    for (let i = 0; i < N; i++) expect((await loginFrom(t, null, email)).status).toBe(401);
    const retryAfter = expectTooManyRequests(await loginFrom(t, null, email, DEFAULT_PASSWORD), 2);
    await new Promise((ok) => setTimeout(ok, retryAfter * 1000 + 100));
    expect((await loginFrom(t, null, email, DEFAULT_PASSWORD)).status).toBe(200);
  });
});

/** A free TCP port on 127.0.0.1 with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * A Redis that answers the connection handshake (so the client is "ready") and then never
 * answers a command: a frozen or overloaded server. Records the commands it ignored.
 */
async function frozenRedis(): Promise<{ url: string; ignored: string[]; close: () => void }> {
  const ignored: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      // Each command is a RESP array of bulk strings; its first element is the name.
      for (const match of chunk.toString('latin1').matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)) {
        const name = match[1].toUpperCase();
        if (name === 'INFO') {
          const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
          socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
        } else if (['CLIENT', 'SELECT', 'AUTH', 'PING'].includes(name)) {
          socket.write('+OK\r\n');
        } else {
          ignored.push(name);
        }
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    ignored,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

async function timed(run: () => Promise<request.Response>) {
  const started = performance.now();
  const res = await run();
  return { res, ms: performance.now() - started };
}

describe('REDIS_URL set but Redis unusable: each instance counts in its own memory', () => {
  it('Redis down (connection refused): logins answer at once and the limit still holds', async () => {
    const t = await createTestApp({
      AUTH_RATE_LIMIT: '1/60s',
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
    try {
      const email = uniqueEmail('redis-down');
      const first = await timed(() => loginFrom(t, null, email));
      expect(first.res.status).toBe(401);
      expect(first.ms).toBeLessThan(1000);
      const second = await timed(() => loginFrom(t, null, email));
      expectTooManyRequests(second.res, 60);
      expect(second.ms).toBeLessThan(1000);
    } finally {
      await t.close();
    }
  });

  it('Redis frozen (never answers): a request waits at most ~500 ms for it, then counts in memory', async () => {
    const redis = await frozenRedis();
    const t = await createTestApp({ AUTH_RATE_LIMIT: '1/60s', REDIS_URL: redis.url });
    try {
      const email = uniqueEmail('redis-frozen');
      const first = await timed(() => loginFrom(t, null, email));
      expect(first.res.status).toBe(401);
      expect(first.ms).toBeLessThan(1500);
      // It really asked Redis (the Lua script), which never answered.
      expect(redis.ignored).toContain('EVAL');
      const second = await timed(() => loginFrom(t, null, email));
      expectTooManyRequests(second.res, 60);
      expect(second.ms).toBeLessThan(1500);
    } finally {
      await t.close();
      redis.close();
    }
  });
});
