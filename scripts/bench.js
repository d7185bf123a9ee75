#!/usr/bin/env node
// Load test on 127.0.0.1: starts dist/main.js on a fresh SQLite file, then one autocannon run
// each for GET /api/articles (public) and GET /api/users/me (bearer, with its session lookup).
// Usage: npm run build && npm run bench [-- --duration 10 --connections 50]
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const duration = Math.min(opt('duration', 10), 60);
const connections = opt('connections', 50);
const port = opt('port', 3456);
const base = `http://127.0.0.1:${port}`;

async function waitForHealth() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become healthy');
}

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
  const dir = mkdtempSync(join(tmpdir(), 'auth-bench-'));
  const server = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`,
      JWT_ACCESS_SECRET: 'bench-access-secret-0123456789abcdefghijklmnopq',
      JWT_REFRESH_SECRET: 'bench-refresh-secret-0123456789abcdefghijklmnop',
      LOG_LEVEL: 'warn',
      BCRYPT_COST: '10',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitForHealth();
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
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
