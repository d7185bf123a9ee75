// The real server for the client's tests: the repository's built `dist/main.js` on a temporary
// SQLite file, started and stopped by each test file. Requires `npm run build` in the root.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// AUTH_SERVER_MAIN: another build of the server (the root's dist/ is rebuilt by other work).
const MAIN = process.env.AUTH_SERVER_MAIN
  ? resolve(process.env.AUTH_SERVER_MAIN)
  : join(ROOT, 'dist/main.js');

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Every server this process started, killed on exit whatever happens to the test. */
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Starts `node dist/main.js` with `env` over short-token defaults and waits for /api/health.
 * LOG_LEVEL=info keeps the audit lines: `events(name)` reads them back, so tests can count the
 * refreshes and reuse detections the server itself saw.
 */
export async function startServer(env = {}) {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: run \`npm run build\` in the repository root first`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'auth-client-test-'));
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'auth.sqlite')}`,
      JWT_ACCESS_SECRET: 'client-test-access-secret-0123456789-abcdefgh',
      JWT_REFRESH_SECRET: 'client-test-refresh-secret-0123456789-abcdefgh',
      ACCESS_TOKEN_TTL: '2s',
      REFRESH_REUSE_GRACE: '0',
      AUTH_RATE_LIMIT: '100000/60s',
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      REDIS_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines = [];
  let partial = '';
  const keep = (chunk) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop();
    lines.push(...parts);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((ok) => child.once('exit', ok));
  let running = true;
  void exited.then(() => {
    running = false;
    children.delete(child);
  });

  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running) {
      await stop();
      throw new Error(`server exited during start:\n${lines.join('\n')}`);
    }
    try {
      const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not healthy within 60 s:\n${lines.join('\n')}`);
    }
    await sleep(100);
  }

  let lastOutput = Date.now();
  child.stdout.on('data', () => (lastOutput = Date.now()));
  /** Log lines reach this process after the response does: wait until output pauses. */
  const settle = async () => {
    const deadline = Date.now() + 3000;
    await sleep(50);
    while (Date.now() - lastOutput < 100 && Date.now() < deadline) await sleep(25);
  };

  /** The audit events named `name` the server logged (optionally for one user). */
  const events = async (name, userId) => {
    await settle();
    return lines
      .filter((line) => line.includes(`"${name}"`))
      .map((line) => {
        try {
          return JSON.parse(line);
        } catch {
          return null;
        }
      })
      .filter((entry) => entry && entry.event === name && (!userId || entry.userId === userId));
  };

  return { base, stop, events, logs: () => lines.join('\n') };
}

/**
 * Wraps the global fetch: counts the refresh requests (and their answers) that go out, like a
 * browser's network panel would.
 */
export function countingFetch(inner = (input, init) => fetch(input, init)) {
  const counter = { refreshes: 0, refreshStatuses: [], calls: 0 };
  counter.fetch = async (input, init = {}) => {
    counter.calls++;
    const isRefresh = `${input}`.endsWith('/api/auth/refresh') && init.method === 'POST';
    if (isRefresh) counter.refreshes++;
    const res = await inner(input, init);
    if (isRefresh) counter.refreshStatuses.push(res.status);
    return res;
  };
  return counter;
}

/** A Web Locks stand-in (Node 20 has no navigator.locks): exclusive locks, granted in order. */
export class FakeLockManager {
  tails = new Map();
  granted = 0;

  request(name, options, callback) {
    if (typeof options === 'function') [options, callback] = [{}, options];
    const tail = this.tails.get(name) ?? Promise.resolve();
    const result = tail.then(() => {
      this.granted++;
      return callback({ name, mode: options.mode ?? 'exclusive' });
    });
    this.tails.set(
      name,
      result.then(
        () => undefined,
        () => undefined,
      ),
    );
    return result;
  }
}

/** The same storage object handed to two clients stands for localStorage shared by two tabs. */
export function sharedStorage() {
  const map = new Map();
  return {
    map,
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  };
}

let counter = 0;
export function uniqueEmail(label) {
  counter++;
  return `${label}-${process.pid}-${counter}-${Date.now().toString(36)}@example.com`;
}

export const PASSWORD = 'correct horse battery';

/** Waits until the stored access token is past its expiry by the client's clock (plus margin). */
export async function untilExpired(client, marginMs = 50) {
  const tokens = await client.getTokens();
  const wait = tokens.expiresAt - Date.now() + marginMs;
  if (wait > 0) await sleep(wait);
}

/** Raw HTTP, bypassing the client. */
export async function call(base, method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // empty body (204)
  }
  return { status: res.status, body: json };
}

/**
 * A one-cookie jar standing in for the browser: keeps `refresh_token` from Set-Cookie and sends
 * it to /api/auth. `fetch` is the jar's fetch; `cookie()` what it holds now (null: none).
 */
export function cookieJar() {
  let cookie = null;
  const jarFetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (cookie && new URL(`${input}`).pathname.startsWith('/api/auth')) {
      headers.set('cookie', `refresh_token=${cookie}`);
    }
    const res = await fetch(input, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const match = /^refresh_token=([^;]*)/.exec(line);
      if (match) cookie = match[1] || null;
    }
    return res;
  };
  return { fetch: jarFetch, cookie: () => cookie };
}
