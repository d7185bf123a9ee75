#!/usr/bin/env node
// What causal reads cost on Galera: refresh/s with DATABASE_CAUSAL_READS=on (every statement
// of the app's connections waits until its node has applied all that the cluster committed,
// wsrep_sync_wait) against off. One `node dist/main.js` per run (DATABASE_URL with node 1
// first, then 2 and 3), a fresh database per run, four runs in the order on, off, off, on so
// that a drift of this machine's speed over the minutes weighs on both alike. The load is the
// bench's (b) (scripts/bench/scenarios.js refreshLoad): each autocannon connection chains its
// own session's tokens. Prints a table and the command, and writes test-output/bench-galera.json.
// The figures are a report; a non-200 answer or a crash exits 1.
//
// The cluster: TEST_GALERA_URLS (the three node URLs, comma-separated) if set, else the one
// scripts/galera-test.sh recorded (`urls`), else this script starts one and stops it at the end.
// Usage: node scripts/bench-galera.js [--duration 10] [--connections 50] [--no-build]
const { execFileSync } = require('node:child_process');
const { mkdirSync, openSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const mysql = require('mysql2/promise');
const { register } = require('./bench/api');
const { failures, warnings } = require('./bench/load');
const { fmt, machine } = require('./bench/report');
const { refreshLoad } = require('./bench/scenarios');
const { ensureBuilt } = require('./lib/build');
const { startServer } = require('./lib/server');
const { benchServerEnv } = require('./bench/server-env');

const ROOT = join(__dirname, '..');
const SCRIPT = join(__dirname, 'galera-test.sh');
const ORDER = ['on', 'off', 'off', 'on'];
const USAGE = `usage: node scripts/bench-galera.js [--duration S (default 10, at most 60)]
  [--connections N (default 50)] [--no-build]`;

const log = (message) => console.log(`[bench-galera] ${message}`);

function parseArgs(argv) {
  const opts = { duration: 10, connections: 50, build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-build') opts.build = false;
    else if (arg === '--duration' || arg === '--connections') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a whole number ≥ 1`);
      opts[arg.slice(2)] = n;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  opts.duration = Math.min(opts.duration, 60);
  return opts;
}

/** The three node URLs, and whether this run started the cluster (then it stops it). */
function cluster() {
  const fromEnv = (process.env.TEST_GALERA_URLS ?? '').split(',').filter(Boolean);
  if (fromEnv.length === 3) return { nodes: fromEnv, started: false };
  let output;
  let started = false;
  try {
    output = execFileSync('bash', [SCRIPT, 'urls'], { encoding: 'utf8', stdio: 'pipe' });
  } catch {
    log('no Galera cluster recorded: scripts/galera-test.sh start…');
    output = execFileSync('bash', [SCRIPT, 'start'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started = true;
  }
  const nodes = [...output.matchAll(/^NODE\d_URL=(.*)$/gm)].map((m) => m[1]);
  if (nodes.length !== 3)
    throw new Error(`scripts/galera-test.sh printed no node URLs:\n${output}`);
  return { nodes, started };
}

/** The database `<base>_bench_galera`, dropped and created again on node 1. */
async function freshDatabase(admin, nodes) {
  const first = new URL(nodes[0]);
  const name = `${first.pathname.slice(1)}_bench_galera`;
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const hosts = nodes.map((url) => new URL(url).host).join(',');
  return { name, url: `mysql://${first.username}:${first.password}@${hosts}/${name}` };
}

async function main() {
  process.chdir(ROOT);
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build) ensureBuilt(log);
  const command = `node scripts/bench-galera.js --duration ${opts.duration} --connections ${opts.connections}`;
  log(command);
  const { nodes, started } = cluster();
  mkdirSync('test-output', { recursive: true });
  const serverLog = openSync('test-output/bench-galera-server.log', 'w');
  const admin = await mysql.createConnection({ uri: nodes[0] });
  const [[{ version }]] = await admin.query('SELECT VERSION() AS version');
  const errors = [];
  const runs = [];
  try {
    for (const [i, causal] of ORDER.entries()) {
      const database = await freshDatabase(admin, nodes);
      const server = await startServer({
        databaseUrl: database.url,
        stdio: serverLog,
        // Only the setup logs in (one session per connection); the refreshes hash nothing.
        env: benchServerEnv(4, { WEB_CONCURRENCY: '1', DATABASE_CAUSAL_READS: causal }),
      });
      try {
        const label = `run ${i + 1} (causal reads ${causal})`;
        log(`${label}: ${opts.connections} connections, ${opts.duration} s…`);
        const ctx = {
          opts: {
            connections: opts.connections,
            loginConnections: 4,
            duration: opts.duration,
            warmUp: 1,
          },
          base: server.base,
          email: 'bench-galera@example.com',
          log,
          expectOk(what, result) {
            const problem = failures(result);
            if (problem) errors.push(`${what}: ${problem}`);
            const warning = warnings(result);
            if (warning) log(`WARN ${what}: ${warning}`);
          },
        };
        await register(server.base, ctx.email);
        const { result } = await refreshLoad(ctx, label);
        runs.push({ run: i + 1, causal, result });
      } finally {
        await server.stop();
        await admin.query(`DROP DATABASE IF EXISTS \`${database.name}\``);
      }
    }
  } finally {
    await admin.end();
    if (started) {
      log('stopping the Galera cluster this run started');
      execFileSync('bash', [SCRIPT, 'stop'], { stdio: 'ignore' });
    }
  }

  const head = ['run', 'DATABASE_CAUSAL_READS', 'refresh/s', 'p50 ms', 'p99 ms', 'non-2xx'];
  const rows = runs.map(({ run, causal, result }) => [
    String(run),
    causal,
    fmt(result.okPerSec, 0),
    fmt(result.latency.p50, 2),
    fmt(result.latency.p99, 2),
    String(result.total - result.ok),
  ]);
  const mean = (mode) => {
    const of = runs.filter((r) => r.causal === mode).map((r) => r.result.okPerSec);
    return of.reduce((sum, x) => sum + x, 0) / of.length;
  };
  const on = mean('on');
  const off = mean('off');
  const costPct = ((off - on) / off) * 100;
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((v, c) => v.padEnd(widths[c])).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  console.log(
    `\nmean refresh/s: causal reads on ${fmt(on, 0)}, off ${fmt(off, 0)}: ` +
      `causal reads cost ${fmt(costPct, 1)} % (${version}, 3 nodes on 127.0.0.1, one instance on node 1)`,
  );
  console.log(`command: ${command}`);
  for (const error of errors) console.log(`ERROR ${error}`);
  writeFileSync(
    'test-output/bench-galera.json',
    JSON.stringify(
      {
        command,
        date: new Date().toISOString(),
        machine: machine(),
        version,
        on,
        off,
        costPct,
        runs,
        errors,
      },
      null,
      2,
    ) + '\n',
  );
  if (errors.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`[bench-galera] failed: ${error.stack ?? error}`);
  console.error('[bench-galera] server output: test-output/bench-galera-server.log');
  process.exitCode = 1;
});
