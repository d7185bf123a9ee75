#!/usr/bin/env node
// Login timing on 127.0.0.1: does a failed login tell whether the email has an account?
// Starts dist/main.js on a fresh SQLite file, then times three failing logins, interleaved,
// one request at a time: an unknown email, an existing account with a wrong password, and a
// disabled account with a wrong password. Prints median and p90 of each, and how far the
// unknown and disabled medians are from the wrong-password one.
// Usage: npm run build && npm run bench:enumeration [-- --attempts 200 --cost 11 --port 3458]
// (BCRYPT_COST in the environment is used when --cost is not given; default 11, as in production.)
const { startServer } = require('./lib/server');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const attempts = Math.min(opt('attempts', 200), 2000);
const cost = opt('cost', Number(process.env.BCRYPT_COST || 11));
const port = opt('port', 3458);
const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' };
const WRONG = 'not-the-password-at-all';
let base;

async function call(method, path, body, token) {
  const res = await fetch(base + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body && JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function ok(method, path, body, token) {
  const res = await call(method, path, body, token);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** One failing login, timed from request to the whole answer read; it must be the generic 401. */
async function timedFailure(email) {
  const started = performance.now();
  const res = await call('POST', '/api/auth/login', { email, password: WRONG });
  const ms = performance.now() - started;
  if (res.status !== 401 || res.body.code !== 'invalid_credentials') {
    throw new Error(`${email}: expected 401 invalid_credentials, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  return ms;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const fmt = (ms) => `${ms.toFixed(1).padStart(7)} ms`;

(async () => {
  const server = await startServer({
    port,
    env: {
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: 'bench-access-secret-0123456789abcdefghijklmnopq',
      JWT_REFRESH_SECRET: 'bench-refresh-secret-0123456789abcdefghijklmnop',
      // Production refuses to start without it (it seals TOTP secrets).
      DATA_ENCRYPTION_KEY: '2d'.repeat(32),
      BCRYPT_COST: String(cost),
      AUTH_RATE_LIMIT: '1000000/60s',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    },
  });
  base = server.base;
  try {
    const existing = 'bench-existing@example.com';
    const disabled = 'bench-disabled@example.com';
    await ok('POST', '/api/auth/register', { email: existing, password: 'existing-password' });
    const victim = await ok('POST', '/api/auth/register', { email: disabled, password: 'disabled-password' });
    const admin = await ok('POST', '/api/auth/login', ADMIN);
    await ok('PATCH', `/api/admin/users/${victim.user.id}`, { disabled: true }, admin.accessToken);

    const paths = {
      'unknown email': (i) => `bench-nobody-${i}@example.com`,
      'wrong password': () => existing,
      'disabled + wrong password': () => disabled,
    };
    const times = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
    // Warm-up (JIT, connection, worker pool), not counted.
    for (let i = 0; i < 5; i++) for (const email of Object.values(paths)) await timedFailure(email(`w${i}`));
    // Interleaved, so a slow moment of the machine hits the three alike, and the order rotated
    // each round, so none is always the one after another.
    const order = Object.entries(paths);
    for (let i = 0; i < attempts; i++) {
      for (let k = 0; k < order.length; k++) {
        const [name, email] = order[(i + k) % order.length];
        times[name].push(await timedFailure(email(i)));
      }
    }

    console.log(
      `login failures, ${attempts} attempts each, interleaved; BCRYPT_COST=${cost}, node ${process.version}`,
    );
    const medians = {};
    for (const [name, values] of Object.entries(times)) {
      const sorted = [...values].sort((a, b) => a - b);
      medians[name] = quantile(sorted, 0.5);
      console.log(`${name.padEnd(26)} median ${fmt(medians[name])}   p90 ${fmt(quantile(sorted, 0.9))}`);
    }
    const reference = medians['wrong password'];
    for (const name of ['unknown email', 'disabled + wrong password']) {
      const diff = medians[name] - reference;
      console.log(
        `${name} - wrong password: ${diff >= 0 ? '+' : ''}${diff.toFixed(1)} ms median ` +
          `(${((diff / reference) * 100).toFixed(1)}%)`,
      );
    }
  } finally {
    await server.stop();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
