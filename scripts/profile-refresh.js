#!/usr/bin/env node
// Where a refresh's CPU goes: starts the built server (as the bench does, production settings)
// with `--cpu-prof`, loads POST /api/auth/refresh as the bench's (b) does, stops it, and prints
// the profile's self time during the load by owner (this project's files, each package in
// node_modules, Node's internals, GC, idle) and its hottest functions. The .cpuprofile is kept
// for Chrome DevTools (Performance → Load profile).
// Usage: node scripts/profile-refresh.js [--db sqlite|mysql] [--duration 8] [--connections 50]
//        [--top 25] [--out DIR]      (mysql: the database of `npm run bench -- --db mysql`)
// PROFILE_ENV='{"NAME":"value"}' adds server settings (e.g. SESSION_CACHE off).
const { mkdirSync, openSync, readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { register } = require('./bench/api');
const { mysqlTarget, sqliteTarget } = require('./bench/db');
const { failures } = require('./bench/load');
const { refreshLoad } = require('./bench/scenarios');
const { benchServerEnv } = require('./bench/server-env');
const { ensureBuilt } = require('./lib/build');
const { startServer } = require('./lib/server');

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const raw = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const log = (line) => console.log(`[profile] ${line}`);

/** Who owns a frame: a package, one of our files, Node itself, or V8's own entries. */
function owner(frame) {
  const url = frame.url ?? '';
  if (!url) return frame.functionName || '(program)';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const ours = url.match(/\/dist\/(.+)$/);
  return ours ? `dist/${ours[1]}` : url;
}

/** Self time per node id over the samples whose time falls in [from, to] (µs since start). */
function selfTimes(profile, from, to) {
  const self = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i];
    t += dt;
    if (t < from || t > to) return;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  return self;
}

function summarize(profile, fromUs, toUs, top) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = selfTimes(profile, fromUs, toUs);
  let total = 0;
  const byOwner = new Map();
  const byFunction = new Map();
  for (const [id, us] of self) {
    const frame = nodes.get(id).callFrame;
    total += us;
    const who = owner(frame);
    byOwner.set(who, (byOwner.get(who) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'}  ${who}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const busy = total - (byOwner.get('(idle)') ?? 0);
  const rows = (map) =>
    [...map.entries()]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`);
  return {
    busyMs: busy / 1000,
    totalMs: total / 1000,
    owners: rows(byOwner),
    hot: rows(byFunction),
  };
}

async function main() {
  process.chdir(ROOT);
  const db = raw('db', 'sqlite');
  if (!['sqlite', 'mysql'].includes(db)) throw new Error('--db is sqlite or mysql');
  const duration = Number(raw('duration', 8));
  const connections = Number(raw('connections', 50));
  const top = Number(raw('top', 25));
  const dir = resolve(raw('out', 'test-output/profile'));
  mkdirSync(dir, { recursive: true });
  ensureBuilt(log);
  const target = db === 'mysql' ? await mysqlTarget({ log }) : sqliteTarget();
  const before = new Set(readdirSync(dir));
  const server = await startServer({
    databaseUrl: await target.fresh(),
    env: benchServerEnv(4, process.env.PROFILE_ENV ? JSON.parse(process.env.PROFILE_ENV) : {}),
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    stdio: openSync(join(dir, 'server.log'), 'w'),
  });
  const problems = [];
  const ctx = {
    base: server.base,
    email: 'profile@example.com',
    opts: { connections, loginConnections: 4, duration, warmUp: 2 },
    expectOk: (label, result) => {
      const problem = failures(result);
      if (problem) problems.push(`${label}: ${problem}`);
    },
  };
  let window;
  let result;
  try {
    await register(server.base, ctx.email);
    const startedAt = Date.now();
    ({ result } = await refreshLoad(ctx, 'refresh', async () => {
      window = { from: Date.now() };
    }));
    window.to = Date.now();
    window.startedAt = startedAt;
  } finally {
    await server.stop();
    await target.close();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  // The profile's clock is monotonic µs; the load window is placed on it from its end (the
  // server stopped right after the load, within a few ms).
  const endUs = profile.endTime;
  const stoppedAt = Date.now();
  const toUs = endUs - (stoppedAt - window.to) * 1000;
  const fromUs = toUs - (window.to - window.from) * 1000;
  const summary = summarize(profile, fromUs, toUs, top);
  const perRefresh = summary.busyMs / result.ok;
  log(
    `${db}: ${Math.round(result.okPerSec)} refresh/s over ${duration} s, ${connections} connections; ` +
      `${summary.busyMs.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms sampled ` +
      `(${perRefresh.toFixed(3)} ms CPU on the event loop per refresh)`,
  );
  console.log('\nself time by owner (share of busy time):');
  console.log(summary.owners.join('\n'));
  console.log('\nhottest functions:');
  console.log(summary.hot.join('\n'));
  log(`profile: ${join(dir, file)}`);
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`[profile] failed: ${error.stack ?? error}`);
  process.exitCode = 1;
});
