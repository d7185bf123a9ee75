// The machine description, the targets of issue 5 with PASS/FAIL, the printed table, and the
// Markdown and JSON files.
const { execFileSync } = require('node:child_process');
const { productionNodeFlags } = require('../lib/server');
const { readFileSync } = require('node:fs');
const os = require('node:os');

function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  let distro = '';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // no os-release
  }
  let commit = 'unknown';
  try {
    const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: 'pipe' }).trim();
    commit =
      git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain') ? ' (modified)' : '');
  } catch {
    // not a git checkout
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    ramGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${distro || os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    node: process.version,
    commit,
  };
}

const fmt = (value, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value)
    ? 'n/a'
    : Number(value).toLocaleString('en-US', { maximumFractionDigits: digits });

/**
 * One row per target: [id, what, figure, target, ok]. `ok` is null when the scenario did not
 * run. A target needing figures a failed scenario lacks shows n/a and FAIL.
 */
function targets(figures, { db, tokenLabels, rssRequests }) {
  const s = figures.scenarios;
  const rows = [];
  const add = (id, what, value, shown, target, ok) =>
    rows.push({
      id,
      what,
      figure: value === undefined ? 'not run' : shown,
      target,
      ok: value === undefined ? null : Boolean(ok),
    });
  const ratio = (x, y) => (x && y ? x / y : NaN);

  const a = s.a && ratio(s.a.protected.okPerSec, s.a.public.okPerSec);
  add('a', 'protected ÷ public req/s', s.a && a, `${fmt(a, 2)}`, '≥ 0.8', a >= 0.8);
  const refreshTarget = db === 'mysql' ? 700 : 1500;
  const b = s.b?.result.okPerSec;
  add(
    'b',
    'refresh/s',
    s.b && b,
    fmt(b, 0),
    `≥ ${fmt(refreshTarget, 0)} (2 cores)`,
    b >= refreshTarget,
  );
  // Issue 16: the server's refresh against scripts/bench-floor.js, run right after (b).
  const floor = s.b?.floor?.okPerSec;
  const bf = s.b?.floor && ratio(b, floor);
  add(
    'b',
    'refresh ÷ bench-floor (no framework)',
    s.b?.floor && bf,
    `${fmt(bf, 2)} (${fmt(b, 0)} of ${fmt(floor, 0)}/s)`,
    '≥ 0.85',
    bf >= 0.85,
  );
  const contractFloor = s.b?.contractFloor?.okPerSec;
  rows.push({
    id: 'b',
    what: "refresh ÷ floor with the contract's per-request work",
    figure: contractFloor
      ? `${fmt(ratio(b, contractFloor), 2)} (${fmt(b, 0)} of ${fmt(contractFloor, 0)}/s)`
      : 'not run',
    target: 'none (a report)',
    ok: null,
  });
  // (c) compares with the hash_time measured right around its own load (scenarios.js).
  const ceiling = s.c?.hash.ceilingPerSec;
  const c = s.c && ratio(s.c.loginsPerSec, ceiling);
  add(
    'c',
    'login/s ÷ ceiling',
    s.c && c,
    `${fmt(c, 2)} (${fmt(s.c?.loginsPerSec)} of ${fmt(ceiling)}/s)`,
    '≥ 0.8',
    c >= 0.8,
  );
  const alone = s.d?.alone.latency.p99;
  const storm = s.d?.storm.protected.latency.p99;
  const d = s.d && ratio(storm, alone);
  add(
    'd',
    'protected p99 storm ÷ alone',
    s.d && d,
    `${fmt(d, 2)} (${fmt(storm, 2)} / ${fmt(alone, 2)} ms)`,
    '≤ 2',
    d <= 2,
  );
  add(
    'd',
    'protected p99 during storm',
    s.d && storm,
    `${fmt(storm, 2)} ms`,
    '≤ 50 ms',
    storm <= 50,
  );
  const e = s.e && ratio(s.e.big.result.latency.p50, s.e.small.result.latency.p50);
  add(
    'e',
    `refresh p50 ${tokenLabels[1]} ÷ ${tokenLabels[0]} tokens`,
    s.e && e,
    `${fmt(e, 2)} (${fmt(s.e?.big.result.latency.p50, 2)} / ${fmt(s.e?.small.result.latency.p50, 2)} ms)`,
    '≤ 1.3',
    e <= 1.3,
  );
  add(
    'f',
    'idle RSS',
    s.f && s.f.idleRssMb,
    `${fmt(s.f?.idleRssMb)} MB`,
    '≤ 150 MB',
    s.f?.idleRssMb <= 150,
  );
  add(
    'f',
    `RSS growth after ${fmt(rssRequests, 0)} requests`,
    s.f && s.f.growthPct,
    `${fmt(s.f?.growthPct)} % (${fmt(s.f?.afterRssMb)} MB)`,
    '≤ 20 %',
    s.f?.growthPct <= 20,
  );
  const hs256 = s.g?.byAlgorithm.HS256.okPerSec;
  const eddsa = s.g?.byAlgorithm.EdDSA.okPerSec;
  const g = s.g && ratio(eddsa, hs256);
  add(
    'g',
    'protected req/s EdDSA ÷ HS256',
    s.g && g,
    `${fmt(g, 2)} (${fmt(eddsa, 0)} / ${fmt(hs256, 0)}/s)`,
    '≥ 0.8',
    g >= 0.8,
  );
  // Figures without a goal: shown beside the targets, never PASS or FAIL.
  const uncached = s.g?.byAlgorithm['EdDSA, no cache']?.okPerSec;
  rows.push({
    id: 'g',
    what: 'protected req/s EdDSA, TOKEN_VERIFY_CACHE_SIZE=0 ÷ HS256',
    figure: s.g
      ? `${fmt(ratio(uncached, hs256), 2)} (${fmt(uncached, 0)} / ${fmt(hs256, 0)}/s)`
      : 'not run',
    target: 'none (a report)',
    ok: null,
  });
  const introspection = s.g?.introspection;
  rows.push({
    id: 'g',
    what: `introspection req/s (${introspection?.algorithm ?? 'EdDSA'})`,
    figure: introspection
      ? `${fmt(introspection.okPerSec, 0)}/s, p99 ${fmt(introspection.p99, 2)} ms`
      : 'not run',
    target: 'none (a report)',
    ok: null,
  });
  const h = s.h;
  const hRatio = h && ratio(h.protectedCached, h.public);
  add(
    'h',
    'protected with session cache ÷ public req/s',
    h && hRatio,
    `${fmt(hRatio, 2)} (${fmt(h?.protectedCached, 0)} / ${fmt(h?.public, 0)}/s)`,
    '≥ 0.9',
    hRatio >= 0.9,
  );
  rows.push({
    id: 'h',
    what: 'protected cache off / bare JWT check, req/s',
    figure: h ? `${fmt(h.protectedUncached, 0)} / ${fmt(h.bare, 0)}/s` : 'not run',
    target: 'none (a report)',
    ok: null,
  });
  const up = h?.revocation?.up;
  add(
    'h',
    'revocation seen by the other instance, Redis up: p99',
    up?.p99,
    `${fmt(up?.p99, 2)} ms (p50 ${fmt(up?.p50, 2)}, ${fmt(up?.trials, 0)} trials)`,
    '≤ 50 ms',
    up?.p99 <= 50,
  );
  const frozen = h?.revocation?.frozen;
  const bound = (h?.stalenessMs ?? 1000) + 50;
  add(
    'h',
    'revocation seen by the other instance, Redis frozen: p99',
    frozen?.p99,
    `${fmt(frozen?.p99, 2)} ms (p50 ${fmt(frozen?.p50, 2)}, max ${fmt(frozen?.max, 2)})`,
    `≤ ${fmt(bound, 0)} ms (staleness + 50)`,
    frozen?.p99 <= bound,
  );
  return rows;
}

const verdict = (ok) => (ok === null ? '-' : ok ? 'PASS' : 'FAIL');

function printTable(rows, errors, warnings) {
  const cells = rows.map((r) => [r.id, r.what, r.figure, r.target, verdict(r.ok)]);
  const head = ['', 'target', 'figure', 'goal', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((v, i) => String(v).padEnd(widths[i])).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c));
  for (const warning of warnings) console.log(`WARN  ${warning}`);
  for (const error of errors) console.log(`ERROR ${error}`);
}

const mdRow = (cells) => `| ${cells.join(' | ')} |`;

/** The Markdown report: machine, settings, targets, then each scenario's figures and command. */
function markdown({ meta, rows, details, errors, warnings }) {
  const out = [
    '# Benchmarks',
    '',
    `Written by \`${meta.command}\` on ${meta.date}${meta.short ? ' — **short mode** (CI smoke: seconds per scenario, smaller seeds; figures are indicative only)' : ''}.`,
    `The bench starts the built server itself as \`npm run start:prod\` does (\`node ${productionNodeFlags().join(' ')} dist/main.js\`)`,
    'and loads it over 127.0.0.1 with',
    'autocannon, each load from its own process (`scripts/bench/load-worker.js`). Raw figures:',
    `\`${meta.jsonFile}\`.`,
    '',
    '## Machine and settings',
    '',
    mdRow(['', '']),
    mdRow(['---', '---']),
    mdRow(['CPU', `${meta.machine.cpu}, ${meta.machine.cores} cores (os.availableParallelism)`]),
    mdRow(['RAM', `${meta.machine.ramGb} GiB`]),
    mdRow(['OS', meta.machine.os]),
    mdRow(['Node', meta.machine.node]),
    mdRow(['commit', meta.machine.commit]),
    mdRow(['database', meta.database]),
    mdRow(['BCRYPT_COST', String(meta.cost)]),
    mdRow([
      'load',
      `${meta.connections} connections, ${meta.duration} s per measurement (unless a scenario says otherwise)`,
    ]),
    mdRow(['server env', meta.serverEnv]),
    '',
    'The load generators run on the same cores as the server, so every figure is a lower bound',
    'for a server with the machine to itself.',
    '',
    '## Targets (a report, not a test gate)',
    '',
    mdRow(['', 'target', 'figure', 'goal', '']),
    mdRow(['---', '---', '---', '---', '---']),
    ...rows.map((r) => mdRow([r.id, r.what, r.figure, r.target, verdict(r.ok)])),
    '',
  ];
  if (errors.length) {
    out.push('**Errors** (a scenario that should answer only 2xx did not):', '');
    for (const error of errors) out.push(`- ${error}`);
    out.push('');
  }
  if (warnings.length) {
    out.push('**Warnings** (an overloaded machine rather than a bug):', '');
    for (const warning of warnings) out.push(`- ${warning}`);
    out.push('');
  }
  out.push('## Scenarios', '');
  for (const section of details) {
    out.push(`### ${section.title}`, '', ...section.lines, '');
    if (section.table) {
      out.push(mdRow(section.table.head), mdRow(section.table.head.map(() => '---')));
      for (const row of section.table.rows) out.push(mdRow(row));
      out.push('');
    }
    if (section.commands?.length) {
      out.push('Commands (autocannon equivalents; tokens and ids are made by the run):', '', '```');
      out.push(...section.commands, '```', '');
    }
  }
  return out.join('\n');
}

module.exports = { machine, targets, printTable, markdown, fmt };
