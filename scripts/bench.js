#!/usr/bin/env node
// The benchmark suite of issue 5. Builds dist/ if it is missing or older than src/, starts the
// built server itself (SQLite by default, MySQL/MariaDB with --db mysql) on 127.0.0.1, loads it
// with autocannon from separate processes, prints one table of targets with PASS/FAIL and writes
// docs/BENCHMARKS.md plus docs/BENCHMARKS.json (raw figures). Scenarios (see --only):
//   a  protected GET /api/users/me vs public GET /api/articles/:id
//   b  refresh throughput, each connection chaining its own session's tokens
//   c  login throughput against cores ÷ hash_time (bcrypt measured here, same run)
//   d  protected-route p99 alone and beside a login storm
//   e  refresh p50/p99 with 1 thousand vs 1 million stored refresh tokens (bulk seeded)
//   f  server RSS at idle and after 100k requests
//   g  protected route with access tokens signed HS256, ES256, EdDSA, RS256 (JWT_ALG), and
//      introspection (POST /api/oauth/introspect) on EdDSA
//   h  session-state cache (issue 16's "(g)"): protected route with SESSION_CACHE on / off vs the
//      bare JWT check vs public; revocation latency across two instances, Redis up and frozen
//      (with BENCH_REDIS_URL or TEST_REDIS_URL)
// The figures are a report: they never fail the run. Crashes and non-2xx answers in a scenario
// that should have none (a bug) exit 1.
const { mkdirSync, openSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { dirname, join, relative } = require('node:path');
const { performance } = require('node:perf_hooks');
const { PASSWORD, createArticles, register } = require('./bench/api');
const { mysqlTarget, sqliteTarget } = require('./bench/db');
const { failures, warnings } = require('./bench/load');
const { accessTokenAlgorithms } = require('./bench/algorithms');
const { benchServerEnv } = require('./bench/server-env');
const { sessionCache } = require('./bench/session-cache');
const { machine, markdown, printTable, targets, fmt } = require('./bench/report');
const scenarios = require('./bench/scenarios');
const { tokenTable, humanCount } = require('./bench/token-table');
const { ensureBuilt } = require('./lib/build');
const { measureFloor } = require('./bench-floor');
const { startServer } = require('./lib/server');

const ROOT = join(__dirname, '..');
const ALL_SCENARIOS = 'abcdefgh';
const USAGE = `usage: npm run bench [-- options]
  --db sqlite|mysql        database (default sqlite; mysql: DATABASE_URL=mysql://…/<name with "bench">
                           if set, else the test MariaDB of scripts/mariadb-test.sh, database <db>_bench)
  --duration S             seconds per measurement (default 10; --short 3; at most 120)
  --connections N          autocannon connections (default 50)
  --login-connections N    connections of the login loads (default 2 × cores)
  --rate R                 req/s of the protected route in (d) (default a quarter of (a)'s)
  --cost N                 BCRYPT_COST of the server and of hash_time (default 11)
  --only a,b,…             run only these scenarios (letters a to h; default all, --short: a to g)
  --short                  CI smoke: 3 s per measurement, 10k requests in (f), 1k vs 100k tokens in (e)
  --out FILE               report file (default docs/BENCHMARKS.md, with --db mysql
                           docs/BENCHMARKS-mysql.md; the JSON goes beside it)
  --no-build               do not build dist/ even if it is stale`;

/** A wrong option or setting: one line (and the usage), no stack trace. */
const usageError = (message) => Object.assign(new Error(message), { usage: true });

function parseArgs(argv) {
  const opts = { db: 'sqlite', out: null, only: null, build: true };
  const numbers = {
    '--duration': 'duration',
    '--connections': 'connections',
    '--login-connections': 'loginConnections',
    '--rate': 'rate',
    '--cost': 'cost',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw usageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--short') opts.short = true;
    else if (arg === '--no-build') opts.build = false;
    else if (arg === '--db') opts.db = value();
    else if (arg === '--out') opts.out = value();
    else if (arg === '--only') opts.only = value().replace(/[\s,]/g, '');
    else if (numbers[arg]) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw usageError(`${arg} needs a whole number ≥ 1`);
      opts[numbers[arg]] = n;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw usageError(`unknown option ${arg}`);
  }
  if (!['sqlite', 'mysql'].includes(opts.db)) throw usageError('--db is sqlite or mysql');
  opts.out ??= opts.db === 'mysql' ? 'docs/BENCHMARKS-mysql.md' : 'docs/BENCHMARKS.md';
  // (h) takes ~25 s even short (three servers, two instances, a Redis freeze): --short leaves
  // it out unless --only names it, so the CI smoke stays short.
  opts.only ??= opts.short ? ALL_SCENARIOS.replace('h', '') : ALL_SCENARIOS;
  if (!/^[a-h]+$/.test(opts.only)) throw usageError('--only takes letters a to h');
  if (opts.cost !== undefined && (opts.cost < 4 || opts.cost > 15)) {
    throw usageError('--cost is 4 to 15 (BCRYPT_COST)');
  }
  const cores = os.availableParallelism();
  return {
    connections: 50,
    cost: 11,
    loginConnections: 2 * cores,
    stormConnections: 10,
    ...opts,
    duration: Math.min(opts.duration ?? (opts.short ? 3 : 10), 120),
    warmUp: opts.short ? 1 : 2,
    rssRequests: opts.short ? 10_000 : 100_000,
    idleWait: opts.short ? 2 : 45,
    tokenSizes: opts.short ? [1_000, 100_000] : [1_000, 1_000_000],
    hashSamples: opts.short ? 3 : 7,
  };
}

const log = (message) => console.log(`[bench] ${message}`);

/** hash_time: median of bcryptjs.compareSync at the cost, in this process (at the start, and around (c)). */
function measureHash(cost, samples) {
  const bcrypt = require('bcryptjs');
  const hash = bcrypt.hashSync(PASSWORD, cost);
  const samplesMs = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    bcrypt.compareSync(PASSWORD, hash);
    samplesMs.push(performance.now() - t0);
  }
  const medianMs = [...samplesMs].sort((x, y) => x - y)[Math.floor(samples / 2)];
  const cores = os.availableParallelism();
  return { cost, samplesMs, medianMs, cores, ceilingPerSec: cores / (medianMs / 1000) };
}

function serverEnv(opts) {
  // A full run on MySQL can outlast the default 15 min of the one access token it uses.
  return benchServerEnv(opts.cost, { ACCESS_TOKEN_TTL: '2h' });
}

/** (b)'s floor runs: into the figures and as a paragraph and rows of (b)'s section. */
function addFloor(b, details, floor, contractFloor, opts) {
  if (!b) return;
  b.floor = floor;
  b.contractFloor = contractFloor;
  const section = details.find((d) => d.key === 'b');
  const ratio = b.result.okPerSec / floor.okPerSec;
  const contractRatio = b.result.okPerSec / contractFloor.okPerSec;
  section.lines.push(
    '',
    `Right after, \`scripts/bench-floor.js\` did the same work on bare Fastify (same database,`,
    'libraries, signing, load; no Nest, guards, passport, validation, helmet, rate limit,',
    `metrics or request ids): **${fmt(floor.okPerSec, 0)} refresh/s**, so the server reaches`,
    `**${fmt(ratio, 2)}** of it (target ≥ 0.85). CPU per refresh: floor`,
    `${fmt(floor.cpuPerRequest, 2)} ms, server ${fmt(b.cpuPerRequest, 2)} ms.`,
    '',
    "The same floor with what the contract adds to every answer, by the app's own pieces and",
    'still without Nest (`--contract`: security headers, `X-Request-Id` and its',
    'AsyncLocalStorage frame, the cookie plugin, the per-IP rate-limit count, the latency',
    `histogram): **${fmt(contractFloor.okPerSec, 0)} refresh/s** (${fmt(contractFloor.cpuPerRequest, 2)} ms`,
    `of CPU), the server **${fmt(contractRatio, 2)}** of it.`,
  );
  const floorCommand = `node scripts/bench-floor.js --db ${opts.db} --duration ${opts.duration} --connections ${opts.connections}`;
  section.commands.push(floorCommand, `${floorCommand} --contract`);
}

async function main() {
  process.chdir(ROOT);
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build) ensureBuilt(log);
  const shownArgs = [
    `--db ${opts.db}`,
    `--duration ${opts.duration}`,
    `--connections ${opts.connections}`,
  ];
  shownArgs.push(`--login-connections ${opts.loginConnections}`, `--cost ${opts.cost}`);
  if (opts.rate) shownArgs.push(`--rate ${opts.rate}`);
  if (opts.only !== ALL_SCENARIOS) shownArgs.push(`--only ${opts.only}`);
  if (opts.short) shownArgs.push('--short');
  const command = `npm run bench -- ${shownArgs.join(' ')}`;
  const want = (letters) => [...letters].some((l) => opts.only.includes(l));
  const errors = [];
  const warned = [];
  const ctx = {
    opts,
    log,
    serverEnv: serverEnv(opts),
    email: 'bench@example.com',
    password: PASSWORD,
    expectOk(label, result, allow = []) {
      const problem = failures(result, { allow });
      if (problem) errors.push(`${label}: ${problem}`);
      const warning = warnings(result);
      if (warning) warned.push(`${label}: ${warning}`);
    },
    /** A wrong answer a load's status codes cannot show (e.g. a 200 with the wrong body). */
    fail(label, problem) {
      errors.push(`${label}: ${problem}`);
    },
  };

  mkdirSync('test-output', { recursive: true });
  const serverLog = openSync('test-output/bench-server.log', 'w');
  const env = serverEnv(opts);
  // `extra`: settings of one scenario's servers only (g's JWT_ALG), beside the run's own.
  const start = (databaseUrl, extra = {}) =>
    startServer({ databaseUrl, env: { ...env, ...extra }, stdio: serverLog });

  log(`${command}`);
  log(`hash_time: ${opts.hashSamples} × bcryptjs.compareSync at cost ${opts.cost}…`);
  const figures = { hash: measureHash(opts.cost, opts.hashSamples), scenarios: {} };
  log(
    `hash_time ${fmt(figures.hash.medianMs)} ms → ceiling ${fmt(figures.hash.ceilingPerSec)} logins/s`,
  );
  const target = opts.db === 'mysql' ? await mysqlTarget({ log }) : sqliteTarget();
  const database = target.describe();
  const details = [];
  const record = (key, { figures: f, section }) => {
    figures.scenarios[key] = f;
    details.push({ key, ...section });
  };
  try {
    if (want('abcdf')) {
      const server = await start(await target.fresh());
      try {
        Object.assign(ctx, { base: server.base, pid: server.pid });
        ctx.token = (await register(server.base, ctx.email)).accessToken;
        const articles = await createArticles(server.base, ctx.token, 20);
        ctx.publicPath = `/api/articles/${articles[0].id}`;
        log('warm-up…');
        await scenarios.warmUp(ctx);
        if (want('f')) {
          log(`f: RSS, idle then after ${fmt(opts.rssRequests, 0)} requests…`);
          record('f', await scenarios.rss(ctx));
        }
        if (want('ad')) {
          log('a: public vs protected…');
          record('a', await scenarios.protectedVsPublic(ctx));
        }
        if (want('c')) {
          log('c: login throughput…');
          record(
            'c',
            await scenarios.loginThroughput(ctx, figures.hash, (samples) =>
              measureHash(opts.cost, samples),
            ),
          );
        }
        if (want('d')) {
          log('d: protected route alone, then beside a login storm…');
          const protectedPerSec = figures.scenarios.a?.protected.okPerSec;
          record('d', await scenarios.loginStorm(ctx, protectedPerSec));
        }
        if (want('b')) {
          log('b: refresh throughput (logging in one session per connection first)…');
          record('b', await scenarios.refreshThroughput(ctx));
        }
      } finally {
        await server.stop();
      }
    }
    if (want('b')) {
      // After the server stopped: on MySQL the floor recreates the bench database.
      log('b: the floor (scripts/bench-floor.js: the same work without the framework)…');
      const floor = await measureFloor({
        db: opts.db,
        duration: opts.duration,
        connections: opts.connections,
        target,
      });
      log(floor.line);
      if (floor.failed > 0) ctx.fail('b: floor', `${floor.failed} non-200 answers`);
      // And with the contract's per-request work (security headers, request id, cookie
      // plugin, rate-limit count, latency histogram): what the contract costs without Nest.
      const contractFloor = await measureFloor({
        db: opts.db,
        duration: opts.duration,
        connections: opts.connections,
        target,
        contract: true,
      });
      log(contractFloor.line);
      if (contractFloor.failed > 0) {
        ctx.fail('b: floor with the contract', `${contractFloor.failed} non-200 answers`);
      }
      addFloor(figures.scenarios.b, details, floor, contractFloor, opts);
    }
    if (want('e')) {
      const [small, big] = opts.tokenSizes.map(humanCount);
      log(`e: refresh with ${small} vs ${big} stored tokens…`);
      record('e', await tokenTable(ctx, target, start));
    }
    if (want('g')) {
      log('g: protected route per JWT_ALG (a fresh server and database each), introspection…');
      record('g', await accessTokenAlgorithms(ctx, target, start));
    }
    if (want('h')) {
      log(
        'h: session-state cache: protected on / off, bare JWT check, public; revocation latency…',
      );
      record('h', await sessionCache(ctx, target, start));
    }
  } finally {
    await target.close();
  }

  details.sort((x, y) => x.key.localeCompare(y.key));
  const rows = targets(figures, {
    db: opts.db,
    tokenLabels: opts.tokenSizes.map(humanCount),
    rssRequests: opts.rssRequests,
  });
  printTable(rows, errors, warned);
  const out = opts.out;
  const jsonFile = out.replace(/\.md$/, '') + '.json';
  const meta = {
    command,
    date: new Date().toISOString(),
    short: Boolean(opts.short),
    machine: machine(),
    database,
    cost: opts.cost,
    connections: opts.connections,
    duration: opts.duration,
    serverEnv:
      Object.entries(env)
        .filter(([name]) => !name.startsWith('JWT_'))
        .map(([name, value]) => `${name}=${value}`)
        .join(', ') + ', fixed 47-byte JWT secrets',
    jsonFile: relative(dirname(out), jsonFile) || jsonFile,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown({ meta, rows, details, errors, warnings: warned }) + '\n');
  writeFileSync(
    jsonFile,
    JSON.stringify({ meta, targets: rows, errors, warnings: warned, ...figures }, null, 2) + '\n',
  );
  log(`wrote ${out} and ${jsonFile}`);
  if (errors.length) {
    log(`${errors.length} scenario(s) answered non-2xx or failed requests: exit 1`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  if (error.usage) {
    console.error(`[bench] ${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(`[bench] failed: ${error.stack ?? error}`);
  console.error('[bench] server output: test-output/bench-server.log');
  process.exitCode = 1;
});
