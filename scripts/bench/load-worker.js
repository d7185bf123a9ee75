// One autocannon run in its own process (forked by load.js): the load generator never shares
// an event loop with the orchestrator or with another load. Receives one job over IPC, posts
// back a summary, exits.
//   { kind: 'plain', options }            autocannon options as given (url, headers, requests…)
//   { kind: 'refresh', options, tokens }  POST /api/auth/refresh; each connection owns one
//                                          session and presents the token its last response gave
const autocannon = require('autocannon');

/**
 * autocannon resets a connection's `context` after each pass over `requests`, so with one
 * request the context never survives. But a connection's onResponse and the setupRequest of
 * its next request run synchronously one after the other (httpClient: recordBody, then
 * _doRequest), so the successor is handed over in a variable. A connection's first request
 * takes an unused token from the pool; so does one whose previous refresh failed.
 */
function refreshRequests(tokens) {
  const pool = [...tokens];
  let handoff;
  let last;
  // A token presented twice would still answer 200 inside the reuse grace and hide a broken
  // chain: every presentation is checked against the ones before (by its signature's end).
  const presented = new Set();
  const stats = { mismatches: 0, poolExhausted: 0, repeats: 0 };
  const request = {
    method: 'POST',
    path: '/api/auth/refresh',
    headers: { 'content-type': 'application/json' },
    setupRequest(req) {
      let token = handoff ?? pool.shift();
      handoff = undefined;
      if (token) {
        const key = token.slice(-24);
        if (presented.has(key)) stats.repeats++;
        presented.add(key);
      } else {
        // More failed or timed-out refreshes than spare sessions: present some token again
        // (a grace replay or a reuse), reported as a warning.
        stats.poolExhausted++;
        token = last;
      }
      last = token;
      return { ...req, body: JSON.stringify({ refreshToken: token }) };
    },
    onResponse(status, body) {
      if (status !== 200) return;
      try {
        handoff = JSON.parse(body).refreshToken;
      } catch {
        handoff = undefined;
      }
      if (typeof handoff !== 'string') {
        handoff = undefined;
        stats.mismatches++;
      }
    },
  };
  return { requests: [request], stats };
}

/** Exact percentiles of the 2xx response times (autocannon's own histogram has 1 ms buckets). */
function percentiles(times) {
  const sorted = Float64Array.from(times).sort();
  const at = (q) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : null;
  const mean = sorted.length ? sorted.reduce((sum, t) => sum + t, 0) / sorted.length : null;
  return { mean, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

function summarize(result, times, extra = {}) {
  const statusCodes = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = count;
  }
  const ok = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    duration: result.duration,
    connections: result.connections,
    total: result.requests.total,
    ok,
    okPerSec: ok / result.duration,
    reqPerSec: result.requests.average,
    latency: percentiles(times),
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    ...extra,
  };
}

process.once('message', (job) => {
  let stats;
  const options = { ...job.options };
  if (job.kind === 'refresh') {
    ({ requests: options.requests, stats } = refreshRequests(job.tokens));
  }
  const times = [];
  const instance = autocannon(options, (error, result) => {
    if (error) {
      process.send({ error: String(error.stack ?? error) }, () => process.exit(1));
      return;
    }
    process.send({ result: summarize(result, times, stats && { refresh: stats }) }, () =>
      process.exit(0),
    );
  });
  instance.on('response', (client, status, bytes, time) => {
    if (status >= 200 && status < 300) times.push(time);
  });
});
