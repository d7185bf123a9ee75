#!/usr/bin/env node
// Load test on 127.0.0.1: starts dist/main.js on a fresh SQLite file, then one autocannon run
// each for GET /api/articles (public) and GET /api/users/me (bearer, with its session lookup).
// Usage: npm run build && npm run bench [-- --duration 10 --connections 50]
const autocannon = require('autocannon');
const { startServer } = require('./lib/server');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const duration = Math.min(opt('duration', 10), 60);
const connections = opt('connections', 50);
const port = opt('port', 3456);
let base;

async function json(path, body, token) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function run(title, opts) {
  return new Promise((resolve, reject) => {
    autocannon({ url: base + opts.path, connections, duration, headers: opts.headers }, (err, r) => {
      if (err) return reject(err);
      const non2xx = r.non2xx + r.errors;
      console.log(
        `${title.padEnd(34)} ${Math.round(r.requests.average).toString().padStart(7)} req/s  ` +
          `p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non-2xx/errors ${non2xx}  total ${r.requests.total}`,
      );
      resolve(r);
    });
  });
}

(async () => {
  const server = await startServer({
    port,
    env: {
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: 'bench-access-secret-0123456789abcdefghijklmnopq',
      JWT_REFRESH_SECRET: 'bench-refresh-secret-0123456789abcdefghijklmnop',
      BCRYPT_COST: '10',
    },
  });
  base = server.base;
  try {
    const pair = await json('/api/auth/register', { email: 'bench@example.com', password: 'bench-password' });
    for (let i = 0; i < 20; i++) {
      await json('/api/articles', { title: `Article ${i}`, body: 'x'.repeat(500) }, pair.accessToken);
    }
    console.log(`autocannon: ${connections} connections, ${duration} s per route, node ${process.version}`);
    await run('GET /api/articles (public)', { path: '/api/articles' });
    await run('GET /api/users/me (bearer)', {
      path: '/api/users/me',
      headers: { authorization: `Bearer ${pair.accessToken}` },
    });
  } finally {
    await server.stop();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
