// (h) Session-state cache (issue 16; the issue calls it "(g)", a letter (g) already holds).
// h1: the protected route GET /api/users/me with SESSION_CACHE=on vs off, the bare JWT check
//     (bare-jwt-server.js: passport-jwt, no session lookup) and the public route of (a),
//     GET /api/articles/:id, each on a fresh server and database.
// h2: revocation latency across two instances sharing the database and Redis: logout on A,
//     then B polled with the access token until its first 401 (ms from A's answer), TRIALS
//     times with Redis up and with Redis frozen (SIGSTOP, the redis-server scripts/redis-test.sh
//     started). Needs BENCH_REDIS_URL (or TEST_REDIS_URL) and, for the freeze, REDIS_TEST_STATE.
const { fork } = require('node:child_process');
const { createServer } = require('node:net');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { createArticles, login, register } = require('./api');
const { runLoad } = require('./load');
const { fmt } = require('./report');

const ME = '/api/users/me';
const STALENESS_MS = 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

function redisPid() {
  const state = process.env.REDIS_TEST_STATE || '/tmp/redis-test.dir';
  try {
    const dir = readFileSync(state, 'utf8').trim();
    return Number(readFileSync(join(dir, 'redis.pid'), 'utf8').trim());
  } catch {
    return null;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startBare(port, env) {
  const child = fork(join(__dirname, 'bare-jwt-server.js'), [String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bare-jwt-server exited ${code}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
  };
}

async function send(base, method, path, { json, token } = {}) {
  const headers = {};
  if (json) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body: json ? JSON.stringify(json) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const POLL_GAP_MS = 5;

/** One trial: a session of its own, cached on B, logged out on A; ms to B's first 401. */
async function trial(a, b, email, password) {
  const pair = (await send(a.base, 'POST', '/api/auth/login', { json: { email, password } })).body;
  const warm = await send(b.base, 'GET', ME, { token: pair.accessToken });
  if (warm.status !== 200) throw new Error(`B answered ${warm.status} before the logout`);
  const out = await send(a.base, 'POST', '/api/auth/logout', {
    json: { refreshToken: pair.refreshToken },
  });
  if (out.status !== 204) throw new Error(`logout answered ${out.status}`);
  const started = performance.now();
  for (;;) {
    const res = await send(b.base, 'GET', ME, { token: pair.accessToken });
    if (res.status === 401) return performance.now() - started;
    if (res.status !== 200) throw new Error(`B answered ${res.status}`);
    // A breath between polls: 50 trials polling flat out would saturate B's two cores and
    // measure its queue rather than the cache (the figure's resolution stays a few ms).
    await sleep(POLL_GAP_MS);
  }
}

async function trials(a, b, email, password, count, concurrency) {
  const latencies = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      latencies.push(await trial(a, b, email, password));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    trials: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
  };
}

async function sessionCache(ctx, target, startServer) {
  const { connections: c, duration: d, warmUp, short } = ctx.opts;
  const load = (options) => runLoad({ kind: 'plain', options: { connections: c, ...options } });
  const measured = {};
  const measure = async (label, url, headers) => {
    await load({ url, headers, duration: warmUp });
    const result = await load({ url, headers, duration: d });
    ctx.expectOk(`h: ${label}`, result);
    measured[label] = result;
  };

  for (const mode of ['on', 'off']) {
    const server = await startServer(await target.fresh(), { SESSION_CACHE: mode });
    try {
      const token = (await register(server.base, ctx.email)).accessToken;
      await measure(`protected, cache ${mode}`, server.base + ME, {
        authorization: `Bearer ${token}`,
      });
      if (mode === 'on') {
        const [article] = await createArticles(server.base, token, 1);
        await measure('public', `${server.base}/api/articles/${article.id}`, {});
      }
      if (mode === 'on') {
        const bare = await startBare(await freePort(), {
          JWT_ACCESS_SECRET: ctx.serverEnv.JWT_ACCESS_SECRET,
        });
        try {
          await measure('bare JWT check (passport-jwt, no lookup)', `${bare.base}/api/me`, {
            authorization: `Bearer ${token}`,
          });
        } finally {
          await bare.stop();
        }
      }
    } finally {
      await server.stop();
    }
  }

  const redisUrl = process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL;
  const revocation = {};
  const count = short ? 100 : 1000;
  if (redisUrl) {
    const url = await target.fresh();
    const env = {
      REDIS_URL: redisUrl,
      SESSION_CACHE_MAX_STALENESS: `${STALENESS_MS}ms`,
      BCRYPT_COST: '4',
    };
    const a = await startServer(url, env);
    const b = await startServer(url, env);
    try {
      await register(a.base, ctx.email);
      await sleep(2 * STALENESS_MS);
      ctx.log(`h: revocation latency, ${count} trials, Redis up…`);
      revocation.up = await trials(a, b, ctx.email, ctx.password, count, 4);
      const pid = redisPid();
      if (pid) {
        ctx.log(`h: revocation latency, ${count} trials, Redis frozen (SIGSTOP ${pid})…`);
        process.kill(pid, 'SIGSTOP');
        try {
          await sleep(STALENESS_MS);
          revocation.frozen = await trials(a, b, ctx.email, ctx.password, count, 50);
        } finally {
          process.kill(pid, 'SIGCONT');
        }
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  } else {
    ctx.log('h: no BENCH_REDIS_URL / TEST_REDIS_URL: revocation latency not measured');
  }

  const ok = (label) => measured[label]?.okPerSec;
  const pub = ok('public');
  const rows = Object.entries(measured).map(([label, r]) => [
    label,
    fmt(r.okPerSec, 0),
    fmt(r.okPerSec / pub, 2),
    fmt(r.latency.p50, 2),
    fmt(r.latency.p99, 2),
  ]);
  const revRows = Object.entries(revocation).map(([redis, r]) => [
    `Redis ${redis}`,
    fmt(r.trials, 0),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    fmt(r.max, 2),
  ]);
  return {
    figures: {
      connections: c,
      duration: d,
      protectedCached: ok('protected, cache on'),
      protectedUncached: ok('protected, cache off'),
      bare: ok('bare JWT check (passport-jwt, no lookup)'),
      public: pub,
      ratioCachedToPublic: ok('protected, cache on') / pub,
      revocation,
      stalenessMs: STALENESS_MS,
    },
    section: {
      title: 'h. Session-state cache (issue 16 calls it (g))',
      lines: [
        `\`GET ${ME}\` with SESSION_CACHE on and off, the bare JWT check (a NestJS + Fastify app`,
        'guarded by passport-jwt with the same HS256 secret and no session lookup,',
        '`scripts/bench/bare-jwt-server.js`) and the public route of (a), each on a fresh server and',
        `database, ${c} connections, ${d} s after a ${warmUp} s warm-up.`,
        '',
        `Revocation latency: two servers on one database and one Redis (\`SESSION_CACHE_MAX_STALENESS=${STALENESS_MS}ms\`),`,
        'each trial a login on A, the access token checked on B (cached there), logout on A, then B',
        `polled with the token every ${POLL_GAP_MS} ms until its first 401: ms from A's 204. With Redis up (4 trials at`,
        'once) and with the redis-server stopped by SIGSTOP (50 at once).',
        '',
        ...(revRows.length
          ? [
              '| revocation | trials | p50 ms | p99 ms | max ms |',
              '| --- | --- | --- | --- | --- |',
              ...revRows.map((row) => `| ${row.join(' | ')} |`),
            ]
          : ['Revocation latency not measured: no `BENCH_REDIS_URL` / `TEST_REDIS_URL`.']),
      ],
      table: {
        head: ['load', '2xx/s', '÷ public', 'p50 ms', 'p99 ms'],
        rows,
      },
    },
  };
}

module.exports = { sessionCache };
