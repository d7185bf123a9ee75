// (e) Refresh latency with a small and a large refresh_tokens table, on a database of its own:
// register the user, then for each size stop the server, seed rows in bulk up to the size,
// start again and measure refresh with the method of (b).
const { performance } = require('node:perf_hooks');
const { register } = require('./api');
const { fmt } = require('./report');
const { refreshLoad, REFRESH_COMMAND, LATENCY_HEAD, latencyRow } = require('./scenarios');

function humanCount(n) {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6} million`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3} thousand`;
  return fmt(n, 0);
}

/** ctx: the run's context without a server; startServer(url) starts one on the target. */
async function tokenTable(ctx, target, startServer) {
  const url = await target.fresh();
  let server = await startServer(url);
  try {
    await register(server.base, ctx.email);
  } finally {
    await server.stop();
  }

  const measure = async (size) => {
    const label = humanCount(size);
    const before = await target.countTokens();
    const seeded = Math.max(0, size - before);
    ctx.log(`e: seeding ${fmt(seeded, 0)} refresh tokens (server stopped)…`);
    const t0 = performance.now();
    if (seeded) await target.seed(seeded);
    const seedMs = performance.now() - t0;
    const stored = await target.countTokens();
    ctx.log(`e: ${fmt(stored, 0)} stored (seeded in ${fmt(seedMs / 1000)} s); refresh load…`);
    server = await startServer(url);
    try {
      const { sessions, before, result } = await refreshLoad(
        { ...ctx, base: server.base },
        `e: refresh at ${label} tokens`,
        () => target.countTokens(),
      );
      return { label, size, seeded, seedMs, stored, atLoadStart: before, sessions, result };
    } finally {
      await server.stop();
    }
  };

  const [smallSize, bigSize] = ctx.opts.tokenSizes;
  const small = await measure(smallSize);
  const big = await measure(bigSize);
  const after = await target.countTokens();
  const { connections: c, duration: d } = ctx.opts;
  const ratio = big.result.latency.p50 / small.result.latency.p50;
  return {
    figures: { small, big, storedAfter: after },
    section: {
      title: `e. Refresh with ${small.label} vs ${big.label} stored refresh tokens`,
      lines: [
        `A database of its own. With the server stopped, rows are added in bulk (${target.kind === 'sqlite' ? 'better-sqlite3, one transaction, prepared statements' : 'multi-row INSERTs of 5,000 tokens'}):`,
        'users with 10 sessions each, sessions with chains of 10 tokens (parent_id set, all but the',
        'last spent), random UUIDs handed out in sorted order so each index grows at its end (denser',
        'indexes than years of random inserts would leave, much the same depth). Then the server',
        'starts, logs in one session per connection (plus warm-up and spares) and refresh runs as',
        `in (b): ${c} connections, ${d} s. "At load start" counts the rows when the measurement`,
        'began; each run adds one row per refresh.',
        ...(ctx.opts.short
          ? ['', `Short mode: ${small.label} vs ${big.label} instead of 1 thousand vs 1 million.`]
          : []),
        '',
        `p50 ${big.label} ÷ p50 ${small.label}: **${fmt(ratio, 2)}**.`,
      ],
      table: {
        head: ['stored tokens', 'seed time s', 'at load start', ...LATENCY_HEAD.slice(1)],
        rows: [small, big].map((m) => [
          m.label,
          fmt(m.seedMs / 1000),
          fmt(m.atLoadStart, 0),
          ...latencyRow('', m.result).slice(1),
        ]),
      },
      commands: [REFRESH_COMMAND(c, d)],
    },
  };
}

module.exports = { tokenTable, humanCount };
