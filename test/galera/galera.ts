import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { call, Instance, ROOT, startInstance, stopAll } from '../cluster/harness';

/**
 * The Galera suite's own helpers: the three node URLs, a database per spec, instance i on
 * node i, the cluster script, and the conflict counters. Everything else (starting
 * `node dist/main.js`, HTTP calls, the mysql2 connection) is the cluster suite's harness.
 */
const GALERA_SCRIPT = resolve(ROOT, 'scripts/galera-test.sh');
export const NODES = [1, 2, 3] as const;

/** TEST_GALERA_URLS: the full URLs of nodes 1, 2 and 3, comma-separated. */
export function galeraUrls(): URL[] {
  const raw = process.env.TEST_GALERA_URLS ?? '';
  const urls = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (urls.length !== 3 || !urls.every((url) => url.startsWith('mysql://'))) {
    throw new Error(
      'The Galera suite needs the three node URLs: `scripts/galera-test.sh start`, then ' +
        'TEST_GALERA_URLS=mysql://auth:auth@127.0.0.1:24401/auth_test,' +
        'mysql://auth:auth@127.0.0.1:24402/auth_test,mysql://auth:auth@127.0.0.1:24403/auth_test ' +
        `npm run test:galera (got ${raw ? `"${raw}"` : 'nothing'})`,
    );
  }
  return urls.map((url) => new URL(url));
}

/** One database of the cluster: the URL of each node, and the database's name. */
export interface GaleraDatabase {
  name: string;
  /** `nodes[i]` is node i+1's URL with this database. */
  nodes: string[];
}

/**
 * A mysql2 connection to one node whose reads wait until that node has applied every write
 * committed anywhere (wsrep_sync_wait = 1), so that what a test reads is the cluster's state.
 */
export async function connectNode(url: string): Promise<mysql.Connection> {
  const db = await mysql.createConnection({ uri: url, timezone: 'Z', dateStrings: false });
  await db.query('SET SESSION wsrep_sync_wait = 1');
  return db;
}

/**
 * A new, empty database `<base>_<suffix>`, created on node 1 (DDL replicates in total order);
 * returns once every node shows it, so an instance on any node can start on it at once.
 */
export async function freshGaleraDatabase(suffix: string): Promise<GaleraDatabase> {
  const urls = galeraUrls();
  const name = `${urls[0].pathname.slice(1)}_${suffix}`;
  const admin = await connectNode(urls[0].toString());
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.end();
  }
  const nodes = urls.map((url) => withDatabase(url, name).toString());
  for (const url of nodes) await untilConnects(url);
  return { name, nodes };
}

/** Connects (and disconnects) once the database exists on that node, for at most 10 s. */
async function untilConnects(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await (await connectNode(url)).end();
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ER_BAD_DB_ERROR' || Date.now() > deadline)
        throw error;
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
}

function withDatabase(url: URL, name: string): URL {
  const copy = new URL(url.toString());
  copy.pathname = `/${name}`;
  return copy;
}

/**
 * The multi-host DATABASE_URL of an instance that prefers node `node` (1-3): that node first,
 * then the others in order, e.g. for node 2 `mysql://u:p@127.0.0.1:34402,…:34401,…:34403/db`.
 */
export function preferring(database: GaleraDatabase, node: number): string {
  const order = [node, ...NODES.filter((n) => n !== node)];
  const first = new URL(database.nodes[0]);
  const hosts = order.map((n) => new URL(database.nodes[n - 1]).host).join(',');
  return `mysql://${first.username}:${first.password}@${hosts}/${database.name}`;
}

/**
 * Write load on node 1 that makes the other nodes lag: a transaction updating `rows` rows,
 * again and again, in a database of its own. The other nodes apply writesets in commit order,
 * so a row committed on node 1 right after one of these is not readable on node 2 until node 2
 * has applied the big one (tens of ms): the apply lag that causal reads must wait out.
 */
export async function startBallast(
  suffix: string,
  rows = 5_000,
): Promise<{ stop: () => Promise<number> }> {
  const database = await freshGaleraDatabase(`${suffix}_ballast`);
  const db = await connectNode(database.nodes[0]);
  await db.query('CREATE TABLE ballast (id INT PRIMARY KEY, v INT NOT NULL)');
  await db.query('INSERT INTO ballast (id, v) VALUES ?', [
    Array.from({ length: rows }, (_, i) => [i, 0]),
  ]);
  let running = true;
  let updates = 0;
  const loop = (async () => {
    while (running) {
      await db.query('UPDATE ballast SET v = v + 1');
      updates++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await db.query(`DROP DATABASE \`${database.name}\``);
      await db.end();
      return updates;
    },
  };
}

/** Settings every Galera instance runs with: metrics readable without a token, for scraping. */
export const GALERA_ENV: Record<string, string> = { METRICS_PUBLIC: 'true' };

/**
 * Three instances started at the same moment, A on node 1, B on node 2, C on node 3 (each
 * URL lists its node first): they race to migrate, which the schema lease must serialise.
 */
export async function startOnNodes(
  database: GaleraDatabase,
  env: Record<string, string> = {},
): Promise<Instance[]> {
  const started = await Promise.allSettled(
    ['A', 'B', 'C'].map((name, i) =>
      startInstance(name, preferring(database, i + 1), { ...GALERA_ENV, ...env }),
    ),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (failed) {
    // The others must not outlive a failed start (they would keep Jest from exiting).
    await stopAll(instances);
    throw failed.reason;
  }
  return instances;
}

export { stopAll };

/** Runs `scripts/galera-test.sh <args>`; resolves with its output (stdout then stderr). */
export async function galera(...args: string[]): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)('bash', [GALERA_SCRIPT, ...args], {
    cwd: ROOT,
    timeout: 300_000,
  });
  return `${stdout}${stderr}`;
}

/** `auth_db_conflicts_total` of one instance, by outcome; null when it could not be read. */
export interface Conflicts {
  retried: number;
  gaveUp: number;
}

export async function conflicts(instance: Instance): Promise<Conflicts | null> {
  const res = await call(instance, 'GET', '/metrics');
  if (res.status !== 200 || typeof res.body !== 'string') return null;
  const value = (outcome: string) => {
    const series = `auth_db_conflicts_total{outcome="${outcome}"}`;
    const line = (res.body as string).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? NaN : Number(line.slice(series.length + 1));
  };
  return { retried: value('retried'), gaveUp: value('gave_up') };
}

/**
 * Every instance's conflict counters (scraped now), per instance and summed; printed, for the
 * report line of the spec. NaN where the metric is missing (shown as null in the JSON).
 */
export async function scrapeConflicts(
  instances: Instance[],
): Promise<{ retried: number; gaveUp: number; byInstance: Record<string, Conflicts | null> }> {
  const byInstance: Record<string, Conflicts | null> = {};
  let retried = 0;
  let gaveUp = 0;
  for (const instance of instances) {
    const counts = instance.running ? await conflicts(instance) : null;
    byInstance[instance.name] = counts;
    retried += counts?.retried ?? NaN;
    gaveUp += counts?.gaveUp ?? NaN;
  }
  process.stdout.write(
    `[galera] certification conflicts: retried ${retried}, gave up ${gaveUp} ` +
      `(${JSON.stringify(byInstance)})\n`,
  );
  return { retried, gaveUp, byInstance };
}

/** Results as figures for the closing note: printed and appended to test-output/galera-report.jsonl. */
export function report(name: string, figures: Record<string, unknown>): void {
  const dir = resolve(ROOT, 'test-output');
  mkdirSync(dir, { recursive: true });
  const line = JSON.stringify({ name, at: new Date().toISOString(), ...figures });
  appendFileSync(resolve(dir, 'galera-report.jsonl'), line + '\n');
  process.stdout.write(`[galera] ${line}\n`);
}

/** The outcome of an answer as the specs count it: `200`, `401 refresh_token_reused`, `0 ECONNRESET`. */
export function outcome(reply: { status: number; body: any; error?: string }): string {
  if (reply.status === 0) return `0 ${reply.error}`;
  if (reply.status >= 200 && reply.status < 300) return String(reply.status);
  return `${reply.status} ${reply.body?.code}`;
}
