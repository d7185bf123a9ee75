import { ChildProcess, spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { BASE_TEST_ENV } from '../utils/test-env';

/**
 * The cluster suite runs the production entry point (`node dist/main.js`, the Docker image's
 * CMD) as several real processes on one MySQL/MariaDB database, and talks to them over HTTP.
 */
export const ROOT = resolve(__dirname, '../..');
const MAIN = resolve(ROOT, 'dist/main.js');
// `npm run start:prod`'s node flags (package.json), as in the Docker image.
const START_PROD = (
  JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts['start:prod'].split(/\s+/);
const NODE_FLAGS = START_PROD.slice(1, START_PROD.indexOf('dist/main.js'));
const MARIADB_SCRIPT = resolve(ROOT, 'scripts/mariadb-test.sh');

export function baseMysqlUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? '';
  if (!url.startsWith('mysql://')) {
    throw new Error(
      'The cluster suite needs MySQL/MariaDB: `scripts/mariadb-test.sh start`, then ' +
        'TEST_DATABASE_URL=mysql://auth:auth@127.0.0.1:33306/auth_test npm run test:cluster',
    );
  }
  return url;
}

/** A new, empty database `<base>_<suffix>` on the test server; returns its URL. */
export async function freshDatabase(suffix: string): Promise<string> {
  const url = new URL(baseMysqlUrl());
  const name = `${url.pathname.slice(1)}_${suffix}`;
  const admin = await connect(url.toString());
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

/** A plain mysql2 connection for looking at the rows the instances wrote (UTC, like the app). */
export function connect(url: string): Promise<mysql.Connection> {
  return mysql.createConnection({ uri: url, timezone: 'Z', dateStrings: false });
}

/**
 * The rotation invariants' rows after a run: spent tokens with two successors, sessions with
 * two live tokens (both must be empty), and the live token of each active session.
 */
export async function rotationRows(db: mysql.Connection) {
  const doubleChildren = await rows(
    db,
    `SELECT parent_id, COUNT(*) AS n FROM refresh_tokens WHERE parent_id IS NOT NULL
     GROUP BY parent_id HAVING COUNT(*) > 1`,
  );
  const doubleLive = await rows(
    db,
    `SELECT t.session_id, COUNT(*) AS n FROM refresh_tokens t
     JOIN sessions s ON s.id = t.session_id
     WHERE t.spent_at IS NULL AND s.revoked_at IS NULL
     GROUP BY t.session_id HAVING COUNT(*) > 1`,
  );
  const live = await rows<{ session_id: string; id: string; token_hash: string }>(
    db,
    `SELECT t.session_id, t.id, t.token_hash FROM refresh_tokens t
     JOIN sessions s ON s.id = t.session_id
     WHERE t.spent_at IS NULL AND s.revoked_at IS NULL`,
  );
  return { doubleChildren, doubleLive, live };
}

export async function rows<T = Record<string, unknown>>(
  db: mysql.Connection,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const [result] = await db.query(sql, params);
  return result as T[];
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Instance {
  readonly output: string[] = [];
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, 100);
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((ok) =>
      process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        ok(this.exit);
      }),
    );
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** Sends a signal and waits for the exit (at most `timeoutMs`, then SIGKILL). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  logs(): string {
    return this.output.join('').slice(-4000);
  }
}

/** Starts `node <start:prod flags> dist/main.js` and waits until /api/health answers 200. */
export async function startInstance(
  name: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_FLAGS, MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...BASE_TEST_ENV,
      LOG_LEVEL: 'error',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance = new Instance(name, port, child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!instance.running) {
      throw new Error(`instance ${name} exited during start:\n${instance.logs()}`);
    }
    const res = await call(instance, 'GET', '/api/health');
    if (res.status === 200) return instance;
    await sleep(100);
  }
  await instance.stop('SIGKILL');
  throw new Error(`instance ${name} did not become healthy within 60 s:\n${instance.logs()}`);
}

/** Starts `count` instances at the same moment on one database (they race to migrate). */
export function startCluster(
  count: number,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<Instance[]> {
  const names = ['A', 'B', 'C', 'D', 'E'].slice(0, count);
  return Promise.all(names.map((name) => startInstance(name, databaseUrl, env)));
}

export async function stopAll(instances: Instance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.stop('SIGTERM')));
}

export interface Reply {
  status: number; // 0 when no HTTP answer came (refused, reset, timed out)
  body: any;
  ms: number;
  error?: string;
}

/** One HTTP request with a hard client-side bound; never throws. */
export async function call(
  target: Instance | string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  const base = typeof target === 'string' ? target : target.base;
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const started = performance.now();
  try {
    const res = await fetch(base + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body, ms: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return {
      status: 0,
      body: null,
      ms: performance.now() - started,
      error: cause?.code ?? (error as Error).name ?? String(error),
    };
  }
}

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export const PASSWORD = 'correct horse battery';

export interface Pair {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
}

export async function register(target: Instance, email: string): Promise<Pair> {
  const res = await call(target, 'POST', '/api/auth/register', {
    body: { email, password: PASSWORD },
  });
  if (res.status !== 201)
    throw new Error(`register ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Pair;
}

export function refresh(target: Instance, refreshToken: string, timeoutMs?: number) {
  return call(target, 'POST', '/api/auth/refresh', { body: { refreshToken }, timeoutMs });
}

/** The refresh token's row id: the JWT's `jti`. */
export function jti(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti as string;
}

/** Drives scripts/mariadb-test.sh (the test server CI started) for the outage test. */
export async function mariadb(command: 'stop-server' | 'start-server' | 'status'): Promise<void> {
  await promisify(execFile)('bash', [MARIADB_SCRIPT, command], { cwd: ROOT, timeout: 120_000 });
}

/** Results as figures for the closing note: printed and appended to test-output/cluster.json. */
export function report(name: string, figures: Record<string, unknown>): void {
  const dir = resolve(ROOT, 'test-output');
  mkdirSync(dir, { recursive: true });
  const line = JSON.stringify({ name, at: new Date().toISOString(), ...figures });
  appendFileSync(resolve(dir, 'cluster-report.jsonl'), line + '\n');
  process.stdout.write(`[cluster] ${line}\n`);
}

/** POST /api/auth/login with the suite's password (or another one). */
export function login(target: Instance, email: string, password = PASSWORD, timeoutMs?: number) {
  return call(target, 'POST', '/api/auth/login', { body: { email, password }, timeoutMs });
}

/** A JWT's payload, decoded without verification (the tests only read `sid`, `jti`, `exp`). */
export function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

/** How often each value occurs. */
export function countBy(values: Iterable<string | number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** The nearest-rank percentile `p` (0-100) of `values`, rounded to whole ms; 0 when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Math.round(sorted[rank - 1]);
}

/** Runs `task` on every item, at most `limit` at a time; results in the items' order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The pid of the mariadbd that scripts/mariadb-test.sh started (for SIGSTOP / SIGCONT). */
export function mariadbPid(): number {
  const state = process.env.MARIADB_TEST_STATE || '/tmp/mariadb-test.dir';
  const dir = readFileSync(state, 'utf8').trim();
  return Number(readFileSync(resolve(dir, 'mysqld.pid'), 'utf8').trim());
}

/**
 * A client-side bound on concurrent work, like a load balancer's connection limit: at most
 * `limit` tasks run at once, the others wait their turn in order.
 */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active < limit) active++;
    else await new Promise<void>((ok) => waiting.push(ok));
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line, or free it.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
