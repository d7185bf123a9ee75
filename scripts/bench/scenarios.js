// The scenarios of issue 5. Each takes the run's context and returns { figures, section }:
// figures go to the JSON file, section (title, lines, table, commands) to the Markdown.
// ctx: { opts, base, pid, token, email, publicPath, log, expectOk(label, result, allow) }
const { readFileSync } = require('node:fs');
const { loginMany } = require('./api');
const { runLoad } = require('./load');
const { fmt } = require('./report');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ME = '/api/users/me';
const LOGIN = '/api/auth/login';

/** Resident set size of a process in MB, from /proc/<pid>/status (Linux). */
function rssMb(pid) {
  try {
    const kb = /^VmRSS:\s*(\d+)\s*kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

const bearer = (ctx) => ({ authorization: `Bearer ${ctx.token}` });
const loginBody = (ctx) => JSON.stringify({ email: ctx.email, password: ctx.password });

/** The autocannon command line equivalent to a load (placeholders for the run's tokens). */
function command({ c, d, amount, rate, method, headers = [], body, path }) {
  const parts = ['autocannon', `-c ${c}`];
  if (amount) parts.push(`-a ${amount}`);
  else parts.push(`-d ${d}`);
  if (rate) parts.push(`-R ${rate}`);
  if (method) parts.push(`-m ${method}`);
  for (const header of headers) parts.push(`-H "${header}"`);
  if (body) parts.push(`-b '${body}'`);
  parts.push(`http://127.0.0.1:$PORT${path}`);
  return parts.join(' ');
}

const latencyRow = (label, r) => [
  label,
  fmt(r.okPerSec, 0),
  fmt(r.latency.p50, 2),
  fmt(r.latency.p90, 2),
  fmt(r.latency.p99, 2),
  fmt(r.latency.max, 2),
  fmt(r.total, 0),
];
const LATENCY_HEAD = ['load', '2xx/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests'];

function plain(ctx, options) {
  const { connections, duration } = ctx.opts;
  return runLoad({ kind: 'plain', options: { connections, duration, ...options } });
}

function protectedLoad(ctx, options = {}) {
  return plain(ctx, { url: ctx.base + ME, headers: bearer(ctx), ...options });
}

function loginLoad(ctx, options = {}) {
  return plain(ctx, {
    url: ctx.base + LOGIN,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: loginBody(ctx),
    connections: ctx.opts.loginConnections,
    ...options,
  });
}

/** A short run of the route mix, so the JIT and the pools are warm before anything counts. */
async function warmUp(ctx) {
  await plain(ctx, {
    url: ctx.base,
    duration: ctx.opts.warmUp,
    requests: [
      { method: 'GET', path: ME, headers: bearer(ctx) },
      { method: 'GET', path: ctx.publicPath },
    ],
  });
}

/** (f) RSS of the server at idle (after start and warm-up), then after N requests. */
async function rss(ctx) {
  // V8 gives back its young generation and trims the heap only once the process has been idle
  // a while (its memory reducer): measured 1 s after the warm-up the same server shows ~50 MB
  // more than 45 s later. "At idle" is therefore read after idleWait seconds without requests,
  // and so is the figure after the load, so that the growth compares like with like.
  const idleWaitMs = ctx.opts.idleWait * 1000;
  await sleep(idleWaitMs);
  const idleRssMb = rssMb(ctx.pid);
  const { connections } = ctx.opts;
  const amount = ctx.opts.rssRequests;
  const result = await runLoad({
    kind: 'plain',
    options: {
      url: ctx.base,
      connections,
      amount,
      requests: [
        { method: 'GET', path: ME, headers: bearer(ctx) },
        { method: 'GET', path: ctx.publicPath },
      ],
    },
  });
  ctx.expectOk('f: protected + public mix', result);
  const busyRssMb = rssMb(ctx.pid);
  await sleep(idleWaitMs);
  const afterRssMb = rssMb(ctx.pid);
  const growthPct = idleRssMb && afterRssMb ? ((afterRssMb - idleRssMb) / idleRssMb) * 100 : null;
  return {
    figures: {
      idleRssMb,
      afterRssMb,
      busyRssMb,
      growthPct,
      idleWaitS: ctx.opts.idleWait,
      requests: amount,
      result,
    },
    section: {
      title: `f. Server RSS at idle and after ${fmt(amount, 0)} requests`,
      lines: [
        `VmRSS of the server process (/proc/<pid>/status) after start, a warm-up and ${ctx.opts.idleWait} s`,
        `without requests, then again ${ctx.opts.idleWait} s after ${fmt(amount, 0)} requests alternating \`GET ${ME}\` (bearer)`,
        `and \`GET /api/articles/:id\`. The wait lets V8's memory reducer run, as it does on any idle server;`,
        `right at the end of the load RSS was ${fmt(busyRssMb)} MB.`,
        '',
        `Idle **${fmt(idleRssMb)} MB**, after **${fmt(afterRssMb)} MB**: growth **${fmt(growthPct)} %**.`,
      ],
      table: { head: LATENCY_HEAD, rows: [latencyRow('mix', result)] },
      commands: [
        `autocannon -c ${connections} -a ${amount} (requests alternate ${ME} with "authorization: Bearer $TOKEN" and /api/articles/$ID)`,
      ],
    },
  };
}

/** (a) Protected route vs a public route with comparable database work, same run. */
async function protectedVsPublic(ctx) {
  const { connections: c, duration: d } = ctx.opts;
  const publicResult = await plain(ctx, { url: ctx.base + ctx.publicPath });
  ctx.expectOk('a: public GET /api/articles/:id', publicResult);
  const protectedResult = await protectedLoad(ctx);
  ctx.expectOk(`a: protected GET ${ME}`, protectedResult);
  const ratio = (key) => protectedResult.latency[key] / publicResult.latency[key];
  return {
    figures: { public: publicResult, protected: protectedResult, publicRoute: '/api/articles/:id' },
    section: {
      title: 'a. Protected route vs public route',
      lines: [
        `\`GET ${ME}\` (JWT verification, then the session check: one primary-key lookup of the`,
        'session joined with its user) against `GET /api/articles/:id` (public: one primary-key',
        'lookup of an article with a ~110-character body). The public list `GET /api/articles` was',
        'not chosen: it runs two queries (a count and an ordered page), more work than the check.',
        `Same run, one after the other, ${c} connections, ${d} s each.`,
        '',
        `protected ÷ public: req/s **${fmt(protectedResult.okPerSec / publicResult.okPerSec, 2)}**,` +
          ` p50 ${fmt(ratio('p50'), 2)}, p99 ${fmt(ratio('p99'), 2)}.`,
      ],
      table: {
        head: LATENCY_HEAD,
        rows: [
          latencyRow('public GET /api/articles/:id', publicResult),
          latencyRow(`protected GET ${ME}`, protectedResult),
        ],
      },
      commands: [
        command({ c, d, path: '/api/articles/$ID' }),
        command({ c, d, headers: ['authorization: Bearer $TOKEN'], path: ME }),
      ],
    },
  };
}

/** (c) Login throughput against cores ÷ hash_time. */
async function loginThroughput(ctx, atStart, measureHash) {
  const { loginConnections: c, duration: d } = ctx.opts;
  // This machine's speed drifts by tens of percent over minutes (a shared host), so the
  // ceiling is taken from hash_time measured right before and right after this load, under
  // the same conditions, not only from the figure at the start of the run.
  const before = measureHash(ctx.opts.hashSamples);
  const result = await loginLoad(ctx);
  const after = measureHash(ctx.opts.hashSamples);
  ctx.expectOk('c: login', result, ['503']);
  const samplesMs = [...before.samplesMs, ...after.samplesMs];
  const medianMs = [...samplesMs].sort((x, y) => x - y)[Math.floor(samplesMs.length / 2)];
  const hash = { cost: atStart.cost, cores: atStart.cores, samplesMs, medianMs };
  hash.ceilingPerSec = hash.cores / (medianMs / 1000);
  const loginsPerSec = (result.statusCodes['200'] ?? 0) / result.duration;
  const unavailable = result.statusCodes['503'] ?? 0;
  const list = (times) => times.map((t) => fmt(t, 1)).join(', ');
  return {
    figures: { result, loginsPerSec, unavailable, hash },
    section: {
      title: 'c. Login throughput',
      lines: [
        `\`POST ${LOGIN}\` with a valid user (hash at the configured cost, so no rehash), ${c}`,
        `connections (2 × cores unless \`--login-connections\`), ${d} s.`,
        '',
        `hash_time: median of \`bcryptjs.compareSync\` at cost ${hash.cost} in the bench process,`,
        `${before.samplesMs.length} right before and ${after.samplesMs.length} right after this load: **${fmt(medianMs, 1)} ms**`,
        `(before: ${list(before.samplesMs)}; after: ${list(after.samplesMs)}; at the start of the run: median ${fmt(atStart.medianMs, 1)}).`,
        `Ceiling = cores ÷ hash_time = ${hash.cores} ÷ ${fmt(medianMs / 1000, 4)} s = **${fmt(hash.ceilingPerSec)}/s**.`,
        `Logins: **${fmt(loginsPerSec)}/s** (200 only) = ${fmt(loginsPerSec / hash.ceilingPerSec, 2)} × the ceiling;` +
          ` 503 (bcrypt queue full): ${unavailable}.`,
        "The server's main thread and the load generator share the same cores with the bcrypt",
        'workers (pool of min(cores, 4) threads), so the ceiling is not reachable in full.',
      ],
      table: { head: LATENCY_HEAD, rows: [latencyRow('login', result)] },
      commands: [
        command({
          c,
          d,
          method: 'POST',
          headers: ['content-type: application/json'],
          body: `{"email":"${ctx.email}","password":"…"}`,
          path: LOGIN,
        }),
      ],
    },
  };
}

/** (d) Protected-route latency at a fixed rate, alone and beside a login storm. */
async function loginStorm(ctx, protectedPerSec) {
  const { duration: d, loginConnections } = ctx.opts;
  const rate = ctx.opts.rate ?? Math.max(50, Math.round((protectedPerSec ?? 800) * 0.25));
  const c = Math.min(ctx.opts.stormConnections, rate);
  const atRate = () => protectedLoad(ctx, { connections: c, overallRate: rate });
  const alone = await atRate();
  ctx.expectOk('d: protected alone', alone);
  // The storm starts first and ends last, so it covers the whole measured window.
  const storm = loginLoad(ctx, { duration: d + 2 });
  await sleep(1000);
  const during = await atRate();
  const login = await storm;
  ctx.expectOk('d: protected during the login storm', during);
  ctx.expectOk('d: login storm', login, ['503']);
  return {
    figures: { rate, connections: c, alone, storm: { protected: during, login } },
    section: {
      title: 'd. Protected route during a login storm',
      lines: [
        `\`GET ${ME}\` at a fixed ${rate} req/s (${ctx.opts.rate ? '`--rate`' : "a quarter of (a)'s protected throughput"}),`,
        `${c} connections, ${d} s: alone, then while another process sends logins on`,
        `${loginConnections} connections (started 1 s before, ending 1 s after).`,
        '',
        `p99 alone **${fmt(alone.latency.p99, 2)} ms**, during the storm **${fmt(during.latency.p99, 2)} ms**` +
          ` (${fmt(during.latency.p99 / alone.latency.p99, 2)} ×). Storm: ${fmt((login.statusCodes['200'] ?? 0) / login.duration)}` +
          ` logins/s, 503 (bcrypt queue full): ${login.statusCodes['503'] ?? 0}.`,
      ],
      table: {
        head: LATENCY_HEAD,
        rows: [
          latencyRow('protected alone', alone),
          latencyRow('protected during storm', during),
          latencyRow('login storm', login),
        ],
      },
      commands: [
        command({ c, d, rate, headers: ['authorization: Bearer $TOKEN'], path: ME }),
        `${command({ c: loginConnections, d: d + 2, method: 'POST', headers: ['content-type: application/json'], body: `{"email":"${ctx.email}","password":"…"}`, path: LOGIN })}  # beside it`,
      ],
    },
  };
}

/**
 * Refresh load: one session per connection (plus spares for connections whose refresh fails or
 * times out), each connection presenting the token its previous response returned. A few more
 * sessions first drive a short refresh warm-up on a few connections, so a freshly started
 * server's first refreshes (cold JIT and statements) do not land in the measurement.
 * `beforeMeasure` runs between the two; its result is returned as `before`.
 */
async function refreshLoad(ctx, label, beforeMeasure = async () => undefined) {
  const { connections, loginConnections, duration, warmUp } = ctx.opts;
  const warmConnections = Math.min(5, connections);
  const spares = Math.max(2, Math.ceil(connections / 10));
  const pairs = await loginMany(
    ctx.base,
    ctx.email,
    warmConnections + connections + spares,
    loginConnections,
  );
  const tokens = pairs.map((pair) => pair.refreshToken);
  const warm = await runLoad({
    kind: 'refresh',
    tokens: tokens.splice(0, warmConnections),
    options: { url: ctx.base, connections: warmConnections, duration: warmUp },
  });
  ctx.expectOk(`${label} (warm-up)`, warm);
  const before = await beforeMeasure();
  const result = await runLoad({
    kind: 'refresh',
    tokens,
    options: { url: ctx.base, connections, duration },
  });
  ctx.expectOk(label, result);
  return { sessions: pairs.length, before, result };
}

const REFRESH_COMMAND = (c, d) =>
  `autocannon -c ${c} -d ${d} -m POST -H "content-type: application/json" http://127.0.0.1:$PORT/api/auth/refresh` +
  '  # body {"refreshToken": the one the connection\'s last response returned}: scripts/bench/load-worker.js, kind "refresh"';

/** CPU time (user + system) of process `pid` so far, in ms (/proc, 10 ms ticks). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** (b) Refresh throughput. */
async function refreshThroughput(ctx) {
  const { connections: c, duration: d } = ctx.opts;
  const { sessions, before, result } = await refreshLoad(ctx, 'b: refresh', async () =>
    cpuMs(ctx.pid),
  );
  const cpuPerRequest = (cpuMs(ctx.pid) - before) / result.total;
  return {
    figures: { sessions, result, cpuPerRequest },
    section: {
      title: 'b. Refresh throughput',
      lines: [
        `\`POST /api/auth/refresh\`, ${c} connections, ${d} s, after a ${ctx.opts.warmUp} s warm-up on 5 connections.`,
        `${sessions} sessions made by logging in beforehand (warm-up and spares included); each connection`,
        'owns one and presents the refresh token its previous response returned (fresh and unspent',
        'every time, so no grace replay and no reuse detection).',
        `Non-200 answers count as errors (must be 0). **${fmt(result.okPerSec, 0)} refresh/s**,`,
        `${fmt(cpuPerRequest, 2)} ms of server CPU per refresh.`,
      ],
      table: { head: LATENCY_HEAD, rows: [latencyRow('refresh', result)] },
      commands: [REFRESH_COMMAND(c, d)],
    },
  };
}

module.exports = {
  command,
  rssMb,
  warmUp,
  rss,
  protectedVsPublic,
  loginThroughput,
  loginStorm,
  refreshLoad,
  refreshThroughput,
  REFRESH_COMMAND,
  LATENCY_HEAD,
  latencyRow,
};
