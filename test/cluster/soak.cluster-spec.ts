import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import {
  call,
  claims,
  connect,
  countBy,
  freshDatabase,
  Instance,
  jti,
  limiter,
  login,
  mapLimit,
  percentile,
  PASSWORD,
  refresh,
  Reply,
  report,
  rotationRows,
  rows,
  sleep,
  startCluster,
  stopAll,
} from './harness';

/**
 * A bounded soak: 200 sessions refresh in loops on three instances for SOAK_SECONDS (default
 * 30, at most 60), with deliberate duplicate presentations inside the reuse grace and a few
 * replays of rotated tokens after it. Afterwards the database must show one chain per session.
 */
const SECONDS = Math.min(60, Math.max(1, Number(process.env.SOAK_SECONDS) || 30));
const SESSIONS = 200;
const GRACE_SECONDS = 5;
const DUPLICATE_RATE = 0.05;
const ME_RATE = 0.1;
const PROBES = 5;
/**
 * Requests in flight at once over the three instances (SOAK_CONCURRENCY): by default every
 * session's loop at once, 200 against 3 × 10 pooled connections, so requests queue for the
 * pool — that must cost latency, never a 5xx. A lower value (24, about a load balancer's
 * connection limit) measures the protocol's latency rather than the queue's.
 */
const CONCURRENCY = Math.max(2, Number(process.env.SOAK_CONCURRENCY) || SESSIONS);

/** What each kind of request may answer; anything else is a failure. */
const EXPECTED: Record<string, string[]> = {
  register: ['201'],
  refresh: ['200'],
  duplicate: ['200'],
  me: ['200'],
  login: ['200'],
  'probe-rotate': ['200'],
  'probe-replay': ['401 refresh_token_reused'],
  'probe-latest': ['401 refresh_token_reused', '401 refresh_token_revoked'],
  'probe-me': ['401 token_revoked'],
};

interface Client {
  email: string;
  accessToken: string;
  refreshToken: string;
  /** When (ms since the soak began) this client replays a rotated token, if it is a prober. */
  probeAt?: number;
  broken?: string;
}

interface Sample {
  kind: string;
  status: number;
  outcome: string;
  ms: number;
}

describe('cluster soak: 200 sessions refreshing on three instances', () => {
  let instances: Instance[];
  let db: mysql.Connection;
  const samples: Sample[] = [];
  const unexpected: string[] = [];

  function record(kind: string, reply: Reply): boolean {
    const outcome =
      reply.status === 0
        ? `0 ${reply.error}`
        : reply.status === 200 || reply.status === 201
          ? String(reply.status)
          : `${reply.status} ${reply.body?.code}`;
    samples.push({ kind, status: reply.status, outcome, ms: reply.ms });
    const ok = EXPECTED[kind].includes(outcome);
    if (!ok && unexpected.length < 50) unexpected.push(`${kind}: ${outcome}`);
    return ok;
  }

  const pick = () => instances[Math.floor(Math.random() * instances.length)];
  const gate = limiter(CONCURRENCY);

  beforeAll(async () => {
    const url = await freshDatabase('soak');
    instances = await startCluster(3, url, {
      REFRESH_REUSE_GRACE: `${GRACE_SECONDS}s`,
      LOG_LEVEL: 'warn',
    });
    db = await connect(url);
  });

  afterAll(async () => {
    await db?.end();
    if (instances) await stopAll(instances);
  });

  it(
    `keeps one live token per session for ${SECONDS} s, duplicates and replays included`,
    async () => {
      // 200 users (each registration starts a session), 20 at a time over the three instances.
      const clients: Client[] = await mapLimit(
        Array.from({ length: SESSIONS }, (_, i) => `soak-${i}@example.com`),
        20,
        async (email, i) => {
          const reply = await call(instances[i % 3], 'POST', '/api/auth/register', {
            body: { email, password: PASSWORD },
          });
          if (!record('register', reply)) throw new Error(`register ${email}: ${reply.status}`);
          return {
            email,
            accessToken: reply.body.accessToken,
            refreshToken: reply.body.refreshToken,
          };
        },
      );
      // Replays spread over the run, each finishing (grace + margin) before the end if it can.
      const window = Math.max(0, SECONDS * 1000 - (GRACE_SECONDS + 3) * 1000);
      for (let p = 0; p < PROBES; p++) {
        clients[p * Math.floor(SESSIONS / PROBES)].probeAt = ((p + 1) * window) / (PROBES + 1);
      }

      let duplicates = 0;
      let mismatched = 0;
      const probes: string[] = [];

      const adopt = (client: Client, reply: Reply) => {
        client.accessToken = reply.body.accessToken;
        client.refreshToken = reply.body.refreshToken;
      };

      /** One refresh on a random instance. */
      const single = async (client: Client) => {
        const reply = await gate(() => refresh(pick(), client.refreshToken));
        if (!record('refresh', reply)) return (client.broken = `refresh ${reply.status}`);
        adopt(client, reply);
      };

      /** The same token to two different instances at once: one successor for both. */
      const duplicate = async (client: Client) => {
        duplicates++;
        const first = Math.floor(Math.random() * 3);
        const second = (first + 1 + Math.floor(Math.random() * 2)) % 3;
        // One slot for the pair, so that both are sent at the same moment.
        const replies = await gate(() =>
          Promise.all([
            refresh(instances[first], client.refreshToken),
            refresh(instances[second], client.refreshToken),
          ]),
        );
        const ok = replies.map((reply) => record('duplicate', reply));
        if (!ok.every(Boolean)) return (client.broken = 'duplicate failed');
        if (replies[0].body.refreshToken !== replies[1].body.refreshToken) {
          mismatched++;
          return (client.broken = 'duplicate answered two successors');
        }
        adopt(client, replies[1]);
      };

      /** Rotates, waits out the grace, replays the rotated token, then logs in again. */
      const probe = async (client: Client) => {
        client.probeAt = undefined;
        const rotated = client.refreshToken;
        const reply = await refresh(pick(), rotated);
        if (!record('probe-rotate', reply)) return (client.broken = 'probe rotate failed');
        adopt(client, reply);
        await sleep((GRACE_SECONDS + 1.5) * 1000);
        const replay = await refresh(pick(), rotated);
        const latest = await refresh(pick(), client.refreshToken);
        const me = await call(pick(), 'GET', '/api/users/me', { token: client.accessToken });
        const again = await login(pick(), client.email);
        probes.push(
          [replay, latest, me].map((r) => `${r.status} ${r.body?.code}`).join(' / ') +
            ` / login ${again.status}`,
        );
        const ok = [
          record('probe-replay', replay),
          record('probe-latest', latest),
          record('probe-me', me),
          record('login', again),
        ];
        if (!ok.every(Boolean)) return (client.broken = 'probe answers unexpected');
        adopt(client, again);
      };

      const started = performance.now();
      const deadline = started + SECONDS * 1000;
      const loop = async (client: Client) => {
        while (performance.now() < deadline && !client.broken) {
          if (client.probeAt !== undefined && performance.now() - started >= client.probeAt) {
            await probe(client);
            continue;
          }
          if (Math.random() < ME_RATE) {
            const me = await gate(() =>
              call(pick(), 'GET', '/api/users/me', { token: client.accessToken }),
            );
            if (!record('me', me)) client.broken = `me ${me.status}`;
            else if (me.body.email !== client.email) client.broken = 'me answered another user';
            continue;
          }
          if (Math.random() < DUPLICATE_RATE) await duplicate(client);
          else await single(client);
        }
      };
      const registered = samples.length;
      await Promise.all(clients.map(loop));
      const elapsed = (performance.now() - started) / 1000;

      const soak = samples.slice(registered);
      const statuses = samples.map((s) => s.status);
      const fivexx = statuses.filter((s) => s >= 500).length;
      const transport = statuses.filter((s) => s === 0).length;
      const latencies = soak.map((s) => s.ms);
      const refreshKinds = ['refresh', 'duplicate', 'probe-rotate', 'probe-replay', 'probe-latest'];

      // The database after the run.
      const { doubleChildren, doubleLive, live } = await rotationRows(db);
      const reasons = await rows<{ reason: string | null; n: number }>(
        db,
        'SELECT revoked_reason AS reason, COUNT(*) AS n FROM sessions GROUP BY revoked_reason',
      );
      const [{ tokens }] = await rows<{ tokens: number }>(
        db,
        'SELECT COUNT(*) AS tokens FROM refresh_tokens',
      );
      const liveBySession = new Map(live.map((row) => [row.session_id, row]));
      const mismatches = clients.flatMap((client) => {
        const sid = claims(client.refreshToken).sid as string;
        const row = liveBySession.get(sid);
        const hash = createHash('sha256').update(client.refreshToken).digest('hex');
        return row?.id === jti(client.refreshToken) && row.token_hash === hash
          ? []
          : [`${client.email}: holds ${jti(client.refreshToken)}, live ${row?.id ?? 'none'}`];
      });

      report('soak', {
        seconds: Math.round(elapsed * 10) / 10,
        sessions: clients.length,
        concurrency: CONCURRENCY,
        requests: soak.length,
        refreshes: soak.filter((s) => refreshKinds.includes(s.kind)).length,
        duplicates,
        reuseProbes: probes.length,
        probes,
        statuses: countBy(statuses),
        outcomes: countBy(soak.map((s) => `${s.kind} ${s.outcome}`)),
        fivexx,
        transportErrors: transport,
        p50ms: percentile(latencies, 50),
        p99ms: percentile(latencies, 99),
        maxMs: percentile(latencies, 100),
        reqPerSecond: Math.round(soak.length / elapsed),
        tokenRows: Number(tokens),
        sessionsByEnd: Object.fromEntries(reasons.map((r) => [r.reason ?? 'active', Number(r.n)])),
      });

      if (unexpected.length > 0) {
        for (const instance of instances)
          process.stdout.write(`--- ${instance.name}\n${instance.logs()}\n`);
      }
      expect(unexpected).toEqual([]);
      expect(clients.filter((c) => c.broken).map((c) => `${c.email}: ${c.broken}`)).toEqual([]);
      expect(fivexx).toBe(0);
      expect(transport).toBe(0);
      expect(mismatched).toBe(0);
      expect(duplicates).toBeGreaterThan(0);
      expect(probes).toHaveLength(PROBES);
      expect(doubleChildren).toEqual([]);
      expect(doubleLive).toEqual([]);
      // Every session still going is exactly a client's, and its live row is the client's token.
      expect(mismatches).toEqual([]);
      expect(live).toHaveLength(SESSIONS);
      const revoked = reasons.find((r) => r.reason === 'reuse_detected');
      expect(Number(revoked?.n)).toBe(PROBES);
    },
    (SECONDS + 120) * 1000,
  );
});
