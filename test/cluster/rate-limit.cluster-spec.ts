import Redis from 'ioredis';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  call,
  connect,
  freshDatabase,
  Instance,
  register,
  report,
  rows,
  sleep,
  startCluster,
  stopAll,
} from './harness';

/**
 * AUTH_RATE_LIMIT across instances: with REDIS_URL the instances count in one Redis, so a
 * client gets N attempts in all whichever instance the load balancer picks; without it each
 * instance counts alone. Needs TEST_REDIS_URL (scripts/redis-test.sh start).
 */
const LIMIT = 5;
const MAIL_LIMIT = 2;
const RATE_LIMIT_ENV = { AUTH_RATE_LIMIT: `${LIMIT}/60s`, MAIL_RATE_LIMIT: `${MAIL_LIMIT}/60s` };

function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL ?? '';
  if (!/^rediss?:\/\//.test(url)) {
    throw new Error(
      'The rate-limit cluster test needs Redis: `scripts/redis-test.sh start`, then ' +
        'TEST_REDIS_URL=redis://127.0.0.1:36379 TEST_DATABASE_URL=mysql://… ' +
        'npm run test:cluster -- rate-limit',
    );
  }
  return url;
}

/** The redis-server that scripts/redis-test.sh started (for SIGSTOP / SIGCONT). */
function redisPid(): number {
  const state = process.env.REDIS_TEST_STATE || '/tmp/redis-test.dir';
  const dir = readFileSync(state, 'utf8').trim();
  return Number(readFileSync(resolve(dir, 'redis.pid'), 'utf8').trim());
}

interface Attempt {
  status: number;
  code?: string;
  retryAfter: string | null;
  ms: number;
}

/** A failed login (wrong password); keeps the Retry-After header, which harness.call drops. */
async function attempt(target: Instance, email: string): Promise<Attempt> {
  const started = performance.now();
  const res = await fetch(`${target.base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'wrong password 123' }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { code?: string };
  return {
    status: res.status,
    code: body.code,
    retryAfter: res.headers.get('retry-after'),
    ms: performance.now() - started,
  };
}

/** `count` attempts for one email, alternating A, B, A, B… */
async function alternate(instances: Instance[], email: string, count: number) {
  const results: Attempt[] = [];
  for (let i = 0; i < count; i++) results.push(await attempt(instances[i % 2], email));
  return results;
}

const unique = (label: string) => `rl-${label}-${Date.now().toString(36)}@example.com`;

describe('cluster: rate limits shared through Redis (AUTH_RATE_LIMIT=5/60s)', () => {
  let instances: Instance[];
  let redis: Redis;
  let url: string;

  beforeAll(async () => {
    const redisUrl = testRedisUrl();
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    // Counts left by an earlier run (same client IP, 127.0.0.1) would eat into this run's.
    const stale = await redis.keys('{auth-rate:*');
    if (stale.length > 0) await redis.del(...stale);
    url = await freshDatabase('rate_limit');
    instances = await startCluster(2, url, { ...RATE_LIMIT_ENV, REDIS_URL: redisUrl });
  });

  afterAll(async () => {
    if (instances) await stopAll(instances);
    redis?.disconnect();
  });

  it('one (IP, email) gets 5 attempts in all over A and B; the 6th is 429 on either', async () => {
    const email = unique('shared');
    await register(instances[0], email);
    const results = await alternate(instances, email, LIMIT + 2);
    expect(results.slice(0, LIMIT).map((r) => r.status)).toEqual(Array(LIMIT).fill(401));
    // The 6th lands on B, the 7th on A: both refused.
    for (const refused of results.slice(LIMIT)) {
      expect(refused.status).toBe(429);
      expect(refused.code).toBe('too_many_requests');
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    }
    // The counts live in Redis (hashed keys: no email or IP in clear).
    const keys = await redis.keys('{auth-rate:login-ip-email:*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain(email);
    report('rate-limit-shared', { statuses: results.map((r) => r.status) });
  });

  it('MAIL_RATE_LIMIT=2/60s: forgot for one address over A and B stores 2 links in all, and answers 202 every time', async () => {
    const email = unique('mail');
    const { user } = await register(instances[0], email);
    const statuses: number[] = [];
    for (let i = 0; i < MAIL_LIMIT + 3; i++) {
      const res = await call(instances[i % 2], 'POST', '/api/auth/password/forgot', {
        body: { email },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array(MAIL_LIMIT + 3).fill(202));
    // The response does not wait for the write: give the last ones a moment to commit.
    await sleep(500);
    const db = await connect(url);
    try {
      const links = await rows(db, 'SELECT id FROM password_reset_tokens WHERE user_id = ?', [
        user.id,
      ]);
      expect(links).toHaveLength(MAIL_LIMIT);
    } finally {
      await db.end();
    }
    report('rate-limit-mail-shared', { statuses, links: MAIL_LIMIT });
  });

  it('Redis frozen: answers within ~0.5 s, each instance counts alone; shared again after', async () => {
    const pid = redisPid();
    const during = unique('frozen');
    process.kill(pid, 'SIGSTOP');
    let results: Attempt[];
    try {
      // A alone: its own memory allows 5, refuses the 6th. B has counted none of them.
      results = [];
      for (let i = 0; i < LIMIT + 1; i++) results.push(await attempt(instances[0], during));
      results.push(await attempt(instances[1], during));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(results.map((r) => r.status)).toEqual([...Array(LIMIT).fill(401), 429, 401]);
    for (const r of results) expect(r.ms).toBeLessThan(1500);

    // After REDIS_RETRY_AFTER_MS (5 s) the instances count in Redis again.
    await sleep(6_000);
    const after = await alternate(instances, unique('after'), LIMIT + 1);
    expect(after.map((r) => r.status)).toEqual([...Array(LIMIT).fill(401), 429]);
    report('rate-limit-redis-frozen', {
      statuses: results.map((r) => r.status),
      maxMs: Math.round(Math.max(...results.map((r) => r.ms))),
    });
  });
});

describe('cluster: rate limits without REDIS_URL (control)', () => {
  let instances: Instance[];

  beforeAll(async () => {
    const url = await freshDatabase('rate_limit_memory');
    instances = await startCluster(2, url, RATE_LIMIT_ENV);
  });

  afterAll(async () => {
    if (instances) await stopAll(instances);
  });

  it('each instance counts alone: A and B allow 5 each, 10 in all', async () => {
    const results = await alternate(instances, unique('memory'), 2 * LIMIT + 2);
    expect(results.slice(0, 2 * LIMIT).map((r) => r.status)).toEqual(Array(2 * LIMIT).fill(401));
    expect(results.slice(2 * LIMIT).map((r) => r.status)).toEqual([429, 429]);
  });
});
