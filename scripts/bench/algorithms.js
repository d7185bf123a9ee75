// (g) Access-token algorithms: the protected route with tokens signed HS256, ES256, EdDSA and
// RS256 (JWT_ALG), each on a server of its own, and RFC 7662 introspection on the EdDSA one.
// Every measurement starts from the same state: a fresh database (target.fresh(), as (e) does),
// a fresh server with that JWT_ALG (it generates its key pair into the database at start), one
// registered user, one login.
const { randomBytes } = require('node:crypto');
const { login, register } = require('./api');
const { runLoad } = require('./load');
const { fmt } = require('./report');
const { command } = require('./scenarios');

const ME = '/api/users/me';
const INTROSPECT = '/api/oauth/introspect';
const FORM = 'application/x-www-form-urlencoded';
// The resource server the introspection load authenticates as (HTTP Basic). The secret is a
// fixed bench value of the 32 bytes INTROSPECTION_CLIENTS requires; the report names it only
// as $CLIENT_SECRET, as it does the JWT secrets.
const CLIENT_ID = 'bench';
const CLIENT_SECRET = 'bench-secret-0123456789-0123456789-ab';

// EdDSA once more with the verified-token cache off (TOKEN_VERIFY_CACHE_SIZE=0): every request
// pays the public-key verification, the cost a token presented once would have.
const UNCACHED = 'EdDSA, no cache';
const SETTINGS = { [UNCACHED]: { JWT_ALG: 'EdDSA', TOKEN_VERIFY_CACHE_SIZE: '0' } };

// Round 1 runs in this order, round 2 in the reverse one (ABBA): under a drift linear in time
// (this shared host's speed wanders by tens of percent over minutes) every algorithm then has
// the same mean position, so the drift cancels out of every ratio. HS256 and EdDSA, the pair
// the target compares, are neighbours in both rounds, so a burst of load from elsewhere is
// also more likely to hit both than one of them.
const ROUND = ['ES256', 'HS256', 'EdDSA', 'RS256', UNCACHED];
// The table's order: the default first.
const ALGORITHMS = ['HS256', 'ES256', 'EdDSA', 'RS256', UNCACHED];
const ROUNDS = [ROUND, [...ROUND].reverse()];
const INTROSPECTED = 'EdDSA';

const algorithmOf = (jwt) => {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).alg;
  } catch {
    return undefined;
  }
};

const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Several rounds of one load as one figure: 2xx over the summed duration, mean percentiles. */
function combine(results) {
  const ok = results.reduce((sum, r) => sum + r.ok, 0);
  const duration = results.reduce((sum, r) => sum + r.duration, 0);
  const at = (key) => mean(results.map((r) => r.latency[key]));
  return {
    okPerSec: ok / duration,
    p50: at('p50'),
    p99: at('p99'),
    total: results.reduce((sum, r) => sum + r.total, 0),
    perRound: results.map((r) => r.okPerSec),
  };
}

/**
 * ctx: the run's context (no server of its own); target: the run's database (db.js);
 * startServer(url, env): the bench's server on that database with env added to the bench's.
 */
async function accessTokenAlgorithms(ctx, target, startServer) {
  const { connections: c, duration: d, warmUp } = ctx.opts;
  // One per run, never shown: it only seals the private keys each server generates at start.
  const keyEncryptionKey = randomBytes(32).toString('hex');
  const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
  const runs = [];
  const introspections = [];

  const load = (options) => runLoad({ kind: 'plain', options: { connections: c, ...options } });

  const measure = async (algorithm, round) => {
    const env = {
      JWT_ALG: algorithm,
      INTROSPECTION_CLIENTS: `${CLIENT_ID}:${CLIENT_SECRET}`,
      ...SETTINGS[algorithm],
    };
    if (env.JWT_ALG !== 'HS256') env.KEY_ENCRYPTION_KEY = keyEncryptionKey;
    const server = await startServer(await target.fresh(), env);
    try {
      await register(server.base, ctx.email);
      const token = (await login(server.base, ctx.email)).accessToken;
      const label = `g: ${algorithm} round ${round}`;
      // A server that fell back to another algorithm would measure the wrong thing quietly.
      const signed = algorithmOf(token);
      if (signed !== env.JWT_ALG) ctx.fail(label, `the access token is signed ${signed}`);
      const headers = { authorization: `Bearer ${token}` };
      const url = server.base + ME;
      // A fresh server: JIT, statement caches and the key set warm before anything counts.
      await load({ url, headers, duration: warmUp });
      const result = await load({ url, headers, duration: d });
      ctx.expectOk(`${label}: protected GET ${ME}`, result);
      runs.push({ algorithm, round, result });

      if (algorithm === INTROSPECTED) {
        const ilabel = `g: introspection (${algorithm}) round ${round}`;
        const request = {
          method: 'POST',
          headers: { 'content-type': FORM, authorization: basic },
          body: new URLSearchParams({ token }).toString(),
        };
        // autocannon counts status codes only: the answer itself is checked once here.
        const res = await fetch(server.base + INTROSPECT, request);
        const text = await res.text();
        if (res.status !== 200 || !/^\{"active":true\b/.test(text)) {
          ctx.fail(ilabel, `a live token answered ${res.status} ${text.slice(0, 80)}`);
        }
        const options = { url: server.base + INTROSPECT, ...request };
        // Its own route (form parser, Basic check): warmed as the protected route was.
        await load({ ...options, duration: warmUp });
        const introspection = await load({ ...options, duration: d });
        ctx.expectOk(`${ilabel}: POST ${INTROSPECT}`, introspection);
        introspections.push({ algorithm, round, result: introspection });
      }
    } finally {
      await server.stop();
    }
  };

  for (const [i, order] of ROUNDS.entries()) {
    for (const algorithm of order) {
      ctx.log(`g: round ${i + 1}/${ROUNDS.length}, ${algorithm}…`);
      await measure(algorithm, i + 1);
    }
  }

  const byAlgorithm = {};
  for (const algorithm of ALGORITHMS) {
    byAlgorithm[algorithm] = combine(
      runs.filter((run) => run.algorithm === algorithm).map((run) => run.result),
    );
  }
  const hs256 = byAlgorithm.HS256;
  for (const figures of Object.values(byAlgorithm)) {
    figures.ratioToHs256 = figures.okPerSec / hs256.okPerSec;
  }
  const introspection = combine(introspections.map((run) => run.result));
  const eddsa = byAlgorithm[INTROSPECTED];
  // The same comparison round by round: two close ratios say the drift did not decide it.
  const roundRatios = ROUNDS.map((_, i) => eddsa.perRound[i] / hs256.perRound[i]);
  const order = ROUNDS.map((r) => r.join(', ')).join(' | ');
  const perRound = (f) => f.perRound.map((v) => fmt(v, 0)).join(' / ');
  const fixedEnv = `INTROSPECTION_CLIENTS=${CLIENT_ID}:$CLIENT_SECRET`;
  return {
    figures: {
      order: ROUNDS,
      connections: c,
      duration: d,
      byAlgorithm,
      roundRatiosEdDsaToHs256: roundRatios,
      introspection: { algorithm: INTROSPECTED, ...introspection },
      runs,
      introspections,
    },
    section: {
      title: 'g. Access-token algorithms',
      lines: [
        `\`GET ${ME}\` with a bearer token signed with each \`JWT_ALG\`, ${c} connections, ${d} s per`,
        `measurement as in (a), each after a ${warmUp} s warm-up of the same load. Every measurement has`,
        'a server and a database of its own, started from nothing: the server (with `JWT_ALG` and,',
        'for the asymmetric algorithms, a `KEY_ENCRYPTION_KEY` generated for this run) makes its key',
        'pair at start, then one user registers and logs in and the load presents that access token.',
        "HS256 is verified by jsonwebtoken with the shared secret, the others by the service's own",
        "verifier with the public key of the token's `kid`, which keeps verified tokens (up to",
        '`TOKEN_VERIFY_CACHE_SIZE`) so a token presented again skips the signature check; the row',
        `"${UNCACHED}" turns that off (\`TOKEN_VERIFY_CACHE_SIZE=0\`): every request verifies the`,
        'signature, the cost of a token seen once. The session check after it is the same for all.',
        '',
        'Order, to keep drift out of the comparison: two rounds back to back, the second the first',
        `reversed (${order}), so under a linear drift every`,
        'algorithm sits at the same mean time; HS256 and EdDSA are neighbours in both. 2xx/s is',
        'over both rounds (2xx ÷ summed duration); p50 and p99 are the mean of the two rounds.',
        '',
        `EdDSA ÷ HS256 req/s: **${fmt(eddsa.ratioToHs256, 2)}** (round 1 ${fmt(roundRatios[0], 2)},` +
          ` round 2 ${fmt(roundRatios[1], 2)}).`,
        '',
        `Introspection on the ${INTROSPECTED} servers (\`POST ${INTROSPECT}\`, \`token=<the access token>\`,`,
        `HTTP Basic client from \`INTROSPECTION_CLIENTS\`; right after each protected-route load, after a`,
        `${warmUp} s warm-up; a live token, answering \`{"active":true,…}\`, checked once before the load):`,
        `**${fmt(introspection.okPerSec, 0)} req/s**, p50 ${fmt(introspection.p50, 2)} ms,` +
          ` p99 ${fmt(introspection.p99, 2)} ms (${fmt(introspection.okPerSec / eddsa.okPerSec, 2)}` +
          ` × the ${INTROSPECTED} protected route). A report, no target.`,
      ],
      table: {
        head: ['algorithm', '2xx/s', 'p50 ms', 'p99 ms', 'ratio to HS256', '2xx/s round 1 / 2'],
        rows: [
          ...ALGORITHMS.map((algorithm) => {
            const f = byAlgorithm[algorithm];
            return [
              algorithm,
              fmt(f.okPerSec, 0),
              fmt(f.p50, 2),
              fmt(f.p99, 2),
              fmt(f.ratioToHs256, 2),
              perRound(f),
            ];
          }),
          [
            `introspection (${INTROSPECTED})`,
            fmt(introspection.okPerSec, 0),
            fmt(introspection.p50, 2),
            fmt(introspection.p99, 2),
            '-',
            perRound(introspection),
          ],
        ],
      },
      commands: [
        `JWT_ALG=HS256 ${fixedEnv} npm run start:prod  # plus the server env above, a fresh database each`,
        `JWT_ALG=ES256|EdDSA|RS256 KEY_ENCRYPTION_KEY=$(openssl rand -hex 32) ${fixedEnv} npm run start:prod`,
        command({ c, d, headers: ['authorization: Bearer $TOKEN'], path: ME }),
        // Written out: command() single-quotes the body, which would keep $TOKEN from expanding.
        `autocannon -c ${c} -d ${d} -m POST -H "content-type: ${FORM}"` +
          ` -H "authorization: Basic $(printf '%s' "${CLIENT_ID}:$CLIENT_SECRET" | base64 -w0)"` +
          ` -b "token=$TOKEN" http://127.0.0.1:$PORT${INTROSPECT}  # on the ${INTROSPECTED} servers`,
      ],
    },
  };
}

module.exports = { accessTokenAlgorithms };
