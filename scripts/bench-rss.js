#!/usr/bin/env node
// Does the server's memory keep growing, or settle? Starts dist/main.js on a fresh SQLite file
// and prints its RSS after `--idle` seconds without requests, then again after each of `--rounds`
// rounds of `--requests` requests (GET /api/users/me with a bearer token alternating with a
// public GET /api/articles/:id), each followed by the same idle wait. A leak grows every round;
// a heap that warms up grows once and then stays.
// Usage: npm run build && node scripts/bench-rss.js [--rounds 3] [--requests 100000] [--idle 45]
const autocannon = require('autocannon');
const { readFileSync } = require('node:fs');
const { startServer } = require('./lib/server');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = opt('rounds', 3);
const requests = opt('requests', 100_000);
const idleMs = opt('idle', 45) * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rssMb = (pid) =>
  Number(/^VmRSS:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function post(base, path, body, token) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

(async () => {
  const server = await startServer({
    stdio: 'ignore',
    env: {
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: 'rss-bench-access-secret-0123456789abcdefghij',
      JWT_REFRESH_SECRET: 'rss-bench-refresh-secret-0123456789abcdefghi',
      // Production refuses to start without it (it seals TOTP secrets).
      DATA_ENCRYPTION_KEY: '2d'.repeat(32),
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_TTL: '2h',
      AUTH_RATE_LIMIT: '1000000/1s',
    },
  });
  try {
    const pair = await post(server.base, '/api/auth/register', {
      email: 'rss@example.com',
      password: 'rss-bench-password',
    });
    const article = await post(
      server.base,
      '/api/articles',
      { title: 'RSS', body: 'x'.repeat(200) },
      pair.accessToken,
    );
    const figures = [];
    await sleep(idleMs);
    figures.push(rssMb(server.pid));
    console.log(`idle: ${figures[0].toFixed(1)} MB`);
    for (let round = 1; round <= rounds; round++) {
      const result = await autocannon({
        url: server.base,
        connections: 50,
        amount: requests,
        requests: [
          {
            method: 'GET',
            path: '/api/users/me',
            headers: { authorization: `Bearer ${pair.accessToken}` },
          },
          { method: 'GET', path: `/api/articles/${article.id}` },
        ],
      });
      const busy = rssMb(server.pid);
      await sleep(idleMs);
      figures.push(rssMb(server.pid));
      // A failing request is a bug, not a figure: the run ends non-zero (CI runs this briefly).
      if (result.non2xx + result.errors > 0) process.exitCode = 1;
      console.log(
        `after ${round * requests} requests (${result.non2xx + result.errors} non-2xx/errors): ` +
          `${figures[round].toFixed(1)} MB idle (${busy.toFixed(1)} MB at the end of the load)`,
      );
    }
    const growth = (a, b) => `${(((b - a) / a) * 100).toFixed(1)} %`;
    console.log(
      `growth: first round ${growth(figures[0], figures[1])}` +
        (rounds > 1
          ? `, then ${growth(figures[1], figures[rounds])} over the next ${rounds - 1} round(s)`
          : ''),
    );
  } finally {
    await server.stop();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
