#!/usr/bin/env node
// What WEB_CONCURRENCY buys on this machine: refresh/s of one `node dist/main.js` with
// WEB_CONCURRENCY=1 (a single process) against WEB_CONCURRENCY=2 (a node:cluster primary and
// two workers on one port), on MariaDB. A fresh database and server per run, four runs in the
// order 1, 2, 2, 1 so that a drift of this machine's speed over the minutes weighs on both
// alike. The load is the bench's (b) (scripts/bench/scenarios.js refreshLoad): each autocannon
// connection chains its own session's tokens (POST /api/auth/refresh, every token fresh). Each
// run also reports the CPU seconds every server process used during the measurement (from
// /proc/<pid>/stat), which shows that both workers served and what the primary costs.
// Prints a table and the command, and writes test-output/bench-web-concurrency.json. The
// figures are a report; a non-2xx answer or a crash exits 1.
//
// The database: DATABASE_URL (its name must contain "bench": it is dropped and made again) if
// set; else database `<db>_bench_web_concurrency` on the test MariaDB of
// scripts/mariadb-test.sh, started (and stopped at the end) if it is not running.
// Usage: node scripts/bench-web-concurrency.js [--db mysql] [--duration 10] [--connections 50]
//        [--no-build]
const { execFileSync } = require('node:child_process');
const { mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { register } = require('./bench/api');
const { mysqlTarget } = require('./bench/db');
const { failures, warnings } = require('./bench/load');
const { fmt, machine } = require('./bench/report');
const { refreshLoad } = require('./bench/scenarios');
const { ensureBuilt } = require('./lib/build');
const { startServer } = require('./lib/server');
const { benchServerEnv } = require('./bench/server-env');

const ROOT = join(__dirname, '..');
const MARIADB = join(__dirname, 'mariadb-test.sh');
const ORDER = [1, 2, 2, 1];
const USAGE = `usage: node scripts/bench-web-concurrency.js [--db mysql] [--duration S (default 10,
  at most 60)] [--connections N (default 50)] [--no-build]`;

const log = (message) => console.log(`[bench-web-concurrency] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function parseArgs(argv) {
  const opts = { duration: 10, connections: 50, build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-build') opts.build = false;
    else if (arg === '--db') {
      // More than one process is refused on SQLite, so MariaDB/MySQL is the only choice.
      if (argv[++i] !== 'mysql')
        throw new Error(`--db is mysql only (WEB_CONCURRENCY=2 refuses SQLite)\n${USAGE}`);
    } else if (arg === '--duration' || arg === '--connections') {
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

/**
 * Without DATABASE_URL, a database of this bench's own on the running test MariaDB (so it never
 * drops the `<db>_bench` of a bench.js run on the same server). If that server is not running,
 * mysqlTarget starts it (database `<db>_bench`) and stops it at the end.
 */
function chooseDatabase() {
  if (process.env.DATABASE_URL) return;
  try {
    execFileSync('bash', [MARIADB, 'status'], { stdio: 'ignore' });
  } catch {
    return;
  }
  const line = execFileSync('bash', [MARIADB, 'url'], { encoding: 'utf8' }).trim();
  const url = new URL(
    line
      .split('\n')
      .pop()
      .replace(/^DATABASE_URL=/, ''),
  );
  url.pathname = `${url.pathname}_bench_web_concurrency`;
  process.env.DATABASE_URL = url.toString();
}

/** The live children of `pid` (the cluster's workers), from /proc. */
function childPids(pid) {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => {
      const s = procStat(child);
      return s && s.ppid === pid && s.state !== 'Z';
    });
}

function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // state ppid … utime (14th field of the line, 12th after the name) stime: clock ticks.
    return {
      state: fields[0],
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return null;
  }
}

/** The whole machine's busy and total CPU ticks so far (the `cpu` line of /proc/stat). */
function machineTicks() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** CPU seconds (user + system) of each pid so far; Linux's USER_HZ is 100. */
const cpuSeconds = (pids) =>
  Object.fromEntries(pids.map((pid) => [pid, (procStat(pid)?.ticks ?? 0) / 100]));

async function main() {
  process.chdir(ROOT);
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build) ensureBuilt(log);
  const command =
    `node scripts/bench-web-concurrency.js --db mysql --duration ${opts.duration} ` +
    `--connections ${opts.connections}`;
  log(command);
  chooseDatabase();
  const target = await mysqlTarget({ log });
  const database = target.describe();
  mkdirSync('test-output', { recursive: true });
  const serverLog = openSync('test-output/bench-web-concurrency-server.log', 'w');
  const errors = [];
  const runs = [];
  try {
    for (const [i, processes] of ORDER.entries()) {
      const server = await startServer({
        databaseUrl: await target.fresh(),
        stdio: serverLog,
        // Only the setup logs in (one session per connection); the refreshes hash nothing.
        env: benchServerEnv(4, { WEB_CONCURRENCY: String(processes) }),
      });
      try {
        // /api/health answered: one worker listens. Wait for all of them to exist; the logins
        // and the warm-up of refreshLoad then take seconds, long before the measurement.
        for (let t = 0; processes > 1 && childPids(server.pid).length < processes; t++) {
          if (t > 300) throw new Error(`${processes} workers did not appear within 30 s`);
          await sleep(100);
        }
        const label = `run ${i + 1} (WEB_CONCURRENCY=${processes})`;
        log(`${label}: ${opts.connections} connections, ${opts.duration} s…`);
        const ctx = {
          opts: {
            connections: opts.connections,
            loginConnections: 4,
            duration: opts.duration,
            warmUp: 2,
          },
          base: server.base,
          email: 'bench-web-concurrency@example.com',
          log,
          expectOk(what, result) {
            const problem = failures(result);
            if (problem) errors.push(`${what}: ${problem}`);
            const warning = warnings(result);
            if (warning) log(`WARN ${what}: ${warning}`);
          },
        };
        await register(server.base, ctx.email);
        const pids = [server.pid, ...childPids(server.pid)];
        let before;
        let machineBefore;
        const { result } = await refreshLoad(ctx, label, async () => {
          before = cpuSeconds(pids);
          machineBefore = machineTicks();
        });
        const after = cpuSeconds(pids);
        const machineAfter = machineTicks();
        const cpu = pids.map((pid) => after[pid] - before[pid]);
        const machineBusyPct =
          (100 * (machineAfter.busy - machineBefore.busy)) /
          (machineAfter.total - machineBefore.total);
        runs.push({ run: i + 1, processes, result, cpuSeconds: cpu, machineBusyPct });
      } finally {
        await server.stop();
      }
    }
  } finally {
    await target.close();
  }

  const head = [
    'run',
    'WEB_CONCURRENCY',
    'refresh/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'machine CPU busy',
    'server CPU s',
  ];
  const rows = runs.map(({ run, processes, result, cpuSeconds: cpu, machineBusyPct }) => [
    String(run),
    String(processes),
    fmt(result.okPerSec, 0),
    fmt(result.latency.p50, 2),
    fmt(result.latency.p99, 2),
    String(result.total - result.ok),
    `${fmt(machineBusyPct, 0)} %`,
    processes === 1
      ? fmt(cpu[0], 1)
      : `primary ${fmt(cpu[0], 1)}, workers ${cpu
          .slice(1)
          .map((s) => fmt(s, 1))
          .join(' + ')}`,
  ]);
  const mean = (n) => {
    const of = runs.filter((r) => r.processes === n).map((r) => r.result.okPerSec);
    return of.reduce((sum, x) => sum + x, 0) / of.length;
  };
  const one = mean(1);
  const two = mean(2);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((v, c) => v.padEnd(widths[c])).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  console.log(
    `\nmean refresh/s: WEB_CONCURRENCY=1 ${fmt(one, 0)}, WEB_CONCURRENCY=2 ${fmt(two, 0)} ` +
      `(× ${fmt(two / one, 2)}; ${availableParallelism()} cores, the load generator and ${database} ` +
      `on the same machine, ${opts.duration} s per run)`,
  );
  console.log(`command: ${command}`);
  for (const error of errors) console.log(`ERROR ${error}`);
  writeFileSync(
    'test-output/bench-web-concurrency.json',
    JSON.stringify(
      {
        command,
        date: new Date().toISOString(),
        machine: machine(),
        database,
        one,
        two,
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
  console.error(`[bench-web-concurrency] failed: ${error.stack ?? error}`);
  console.error(
    '[bench-web-concurrency] server output: test-output/bench-web-concurrency-server.log',
  );
  process.exitCode = 1;
});
