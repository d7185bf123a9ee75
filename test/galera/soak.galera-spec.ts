import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import mysql from 'mysql2/promise';
import {
  call,
  claims,
  countBy,
  Instance,
  jti,
  limiter,
  mapLimit,
  PASSWORD,
  percentile,
  refresh,
  Reply,
  ROOT,
  rotationRows,
  rows,
  sleep,
} from '../cluster/harness';
import {
  connectNode,
  freshGaleraDatabase,
  galera,
  GaleraDatabase,
  outcome,
  report,
  scrapeConflicts,
  startOnNodes,
  stopAll,
} from './galera';

/**
 * 200 sessions refresh and call a protected route for SOAK_SECONDS (default 30) over three
 * instances, one per node, while node 2 is SIGKILLed and later started again (IST). The
 * instances are never restarted: B, which prefers node 2, moves to another node and back.
 */
const SECONDS = Math.min(60, Math.max(15, Number(process.env.SOAK_SECONDS) || 30));
const SESSIONS = 200;
/** Requests in flight at once over the three instances, like a load balancer's limit. */
const CONCURRENCY = Math.max(2, Number(process.env.SOAK_CONCURRENCY) || 32);
const GRACE_SECONDS = 5;
const ME_RATE = 0.3;
const KILL_AT_MS = SECONDS * 250;
const RESTART_AT_MS = SECONDS * 500;
const VICTIM = 2;

/** What each kind of request may answer; anything else is a failure. */
const EXPECTED: Record<string, string[]> = {
  register: ['201'],
  refresh: ['200', '503 service_unavailable'],
  me: ['200', '503 service_unavailable'],
};

interface Client {
  email: string;
  accessToken: string;
  refreshToken: string;
  /** The last refresh answered 503: the client holds a token that may have been spent. */
  unsettled?: boolean;
  broken?: string;
  /** The client's last requests (kind, instance, token's jti, answer, ms since start). */
  history: string[];
}

type Phase = 'before' | 'down' | 'rejoining' | 'after';

interface Sample {
  kind: string;
  instance: string;
  phase: Phase;
  outcome: string;
  status: number;
  ms: number;
  /** ms since the soak began, at the answer. */
  at: number;
  message?: string;
}

describe(`galera soak: ${SESSIONS} sessions on three nodes, node ${VICTIM} killed and restarted`, () => {
  let database: GaleraDatabase;
  let instances: Instance[];
  let db: mysql.Connection;
  let victimDb: mysql.Connection | undefined;
  const samples: Sample[] = [];
  const unexpected: string[] = [];
  let phase: Phase = 'before';
  let soakStarted = performance.now();

  function record(kind: string, instance: Instance, reply: Reply): boolean {
    const result = outcome(reply);
    samples.push({
      kind,
      instance: instance.name,
      phase,
      outcome: result,
      status: reply.status,
      ms: reply.ms,
      at: Math.round(performance.now() - soakStarted),
      message: reply.status >= 500 ? String(reply.body?.message) : undefined,
    });
    const ok = EXPECTED[kind].includes(result);
    if (!ok && unexpected.length < 50) {
      unexpected.push(`${kind} on ${instance.name} (${phase}): ${result}`);
    }
    return ok;
  }

  const pick = () => instances[Math.floor(Math.random() * instances.length)];
  const gate = limiter(CONCURRENCY);

  beforeAll(async () => {
    database = await freshGaleraDatabase('soak');
    instances = await startOnNodes(database, {
      REFRESH_REUSE_GRACE: `${GRACE_SECONDS}s`,
      LOG_LEVEL: 'warn',
    });
    db = await connectNode(database.nodes[0]);
  });

  afterAll(async () => {
    await db?.end();
    await victimDb?.end();
    if (instances) await stopAll(instances);
    // Whatever happened, leave all three nodes up for the files after this one.
    await galera('restart', String(VICTIM)).catch(() => undefined);
  });

  it(
    `serves through the loss and the return of node ${VICTIM} for ${SECONDS} s`,
    async () => {
      const clients: Client[] = await mapLimit(
        Array.from({ length: SESSIONS }, (_, i) => `soak-${i}@example.com`),
        20,
        async (email, i) => {
          const instance = instances[i % 3];
          const reply = await call(instance, 'POST', '/api/auth/register', {
            body: { email, password: PASSWORD },
          });
          if (!record('register', instance, reply)) throw new Error(`register ${email}`);
          return {
            email,
            accessToken: reply.body.accessToken,
            refreshToken: reply.body.refreshToken,
            history: [],
          };
        },
      );

      const adopt = (client: Client, reply: Reply) => {
        client.accessToken = reply.body.accessToken;
        client.refreshToken = reply.body.refreshToken;
        client.unsettled = false;
      };

      const remember = (
        client: Client,
        what: string,
        instance: Instance,
        sent: number,
        reply: Reply,
      ) => {
        client.history.push(
          `${what} on ${instance.name} sent ${sent} ms answered ${at()} ms: ${outcome(reply)}`,
        );
        if (client.history.length > 12) client.history.shift();
      };

      /** Refreshes answered 503: the token presented, and when the answer came. */
      const refused: { id: string; answeredAt: Date }[] = [];

      /** One refresh on `instance`; a 503 keeps the token, to be presented again. */
      const rotate = async (client: Client, instance: Instance) => {
        const sent = at();
        const reply = await gate(() => refresh(instance, client.refreshToken, 15_000));
        remember(client, `refresh ${jti(client.refreshToken).slice(0, 8)}`, instance, sent, reply);
        if (reply.status === 503) {
          refused.push({ id: jti(client.refreshToken), answeredAt: new Date() });
        }
        if (!record('refresh', instance, reply)) client.broken = `refresh: ${outcome(reply)}`;
        else if (reply.status === 200) adopt(client, reply);
        else client.unsettled = true;
      };

      const started = performance.now();
      const startedAt = new Date().toISOString();
      soakStarted = started;
      const deadline = started + SECONDS * 1000;
      const at = () => Math.round(performance.now() - started);
      const timeline: Record<string, number> = {};
      let restartOutput = '';
      let chaosError: string | undefined;

      // Node 2 dies a quarter of the way in and is started again at half time; `restart`
      // returns when the node is Synced again.
      /** The app's connections on node 2 (its own process list; A and C prefer 1 and 3). */
      const onVictimNow = async () => {
        victimDb ??= await connectNode(database.nodes[VICTIM - 1]);
        const [{ n }] = await rows<{ n: number }>(
          victimDb,
          `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST
           WHERE DB = ? AND ID <> CONNECTION_ID()`,
          [database.name],
        );
        return Number(n);
      };
      let onVictim = 0;

      // Node 2 dies a quarter of the way in and is started again at half time; `restart`
      // returns when the node is Synced again. Then, while the load goes on, B (which
      // prefers node 2) must move its connections back without a restart.
      const chaos = (async () => {
        await sleep(KILL_AT_MS);
        phase = 'down';
        timeline.killedAtMs = at();
        await galera('kill', String(VICTIM));
        await sleep(RESTART_AT_MS - KILL_AT_MS);
        phase = 'rejoining';
        timeline.restartAtMs = at();
        restartOutput = await galera('restart', String(VICTIM));
        phase = 'after';
        timeline.syncedAtMs = at();
        while (performance.now() < deadline && (onVictim = await onVictimNow()) === 0) {
          await sleep(250);
        }
        if (onVictim > 0) timeline.backOnVictimAtMs = at();
      })().catch((error: unknown) => {
        chaosError = error instanceof Error ? error.message : JSON.stringify(error);
      });

      const loop = async (client: Client) => {
        while (performance.now() < deadline && !client.broken) {
          const instance = pick();
          if (Math.random() < ME_RATE) {
            const sent = at();
            const me = await gate(() =>
              call(instance, 'GET', '/api/users/me', {
                token: client.accessToken,
                timeoutMs: 15_000,
              }),
            );
            remember(client, 'me', instance, sent, me);
            if (!record('me', instance, me)) client.broken = `me: ${outcome(me)}`;
            else if (me.status === 200 && me.body.email !== client.email)
              client.broken = 'me answered another user';
          } else {
            await rotate(client, instance);
          }
        }
      };
      await Promise.all(clients.map(loop));
      const elapsed = (performance.now() - started) / 1000;
      await chaos;
      const load = samples.filter((s) => s.kind !== 'register');

      // A client whose last refresh answered 503 presents its token again (inside the
      // grace), as a real client would, so that every chain ends in the client's hands.
      for (const client of clients.filter((c) => c.unsettled && !c.broken)) {
        for (let attempt = 0; attempt < 5 && client.unsettled && !client.broken; attempt++) {
          await rotate(client, pick());
          if (client.unsettled) await sleep(500);
        }
      }

      // If B had not moved back during the soak, drive B alone for up to 30 s more.
      const b = instances[VICTIM - 1];
      const probe = clients.find((c) => !c.broken && !c.unsettled) ?? clients[0];
      const returnStarted = at();
      while (chaosError === undefined && onVictim === 0 && at() - returnStarted < 30_000) {
        await rotate(probe, b);
        if ((onVictim = await onVictimNow()) > 0) timeline.backOnVictimAtMs = at();
        else await sleep(500);
      }
      victimDb ??= await connectNode(database.nodes[VICTIM - 1]);
      // A rotation through B now is written on node 2 and is there to read.
      const viaB = await refresh(b, probe.refreshToken);
      if (viaB.status === 200) adopt(probe, viaB);
      const onNode2 =
        viaB.status === 200
          ? await rows(victimDb, 'SELECT id FROM refresh_tokens WHERE id = ?', [
              jti(viaB.body.refreshToken),
            ])
          : [];
      const meViaB = await call(b, 'GET', '/api/users/me', { token: probe.accessToken });

      // The database after the run.
      const { doubleChildren, doubleLive, live } = await rotationRows(db);
      const liveBySession = new Map(live.map((row) => [row.session_id, row]));
      const mismatches = clients.flatMap((client) => {
        const row = liveBySession.get(claims(client.refreshToken).sid as string);
        const hash = createHash('sha256').update(client.refreshToken).digest('hex');
        return row?.id === jti(client.refreshToken) && row.token_hash === hash
          ? []
          : [`${client.email}: holds ${jti(client.refreshToken)}, live ${row?.id ?? 'none'}`];
      });
      const tokenRows: number[] = [];
      for (const url of database.nodes) {
        const node: mysql.Connection =
          url === database.nodes[VICTIM - 1] && victimDb ? victimDb : await connectNode(url);
        const [{ n }] = await rows<{ n: number }>(node, 'SELECT COUNT(*) AS n FROM refresh_tokens');
        tokenRows.push(Number(n));
        if (node !== victimDb) await node.end();
      }

      // A 503 whose rotation committed all the same (its successor row was written before the
      // answer came): the client still holds a token that is spent, and only the reuse grace
      // saves its session, if it presents the token again soon enough.
      let committedDespite503 = 0;
      for (const { id, answeredAt } of refused) {
        const [child] = await rows<{ created_at: Date }>(
          db,
          'SELECT created_at FROM refresh_tokens WHERE parent_id = ?',
          [id],
        );
        if (child && child.created_at <= answeredAt) committedDespite503++;
      }

      // For a client that got a wrong answer: what it sent, and its session's rows.
      const broken = [];
      for (const client of clients.filter((c) => c.broken).slice(0, 5)) {
        const sid = claims(client.refreshToken).sid as string;
        const [session] = await rows(
          db,
          'SELECT revoked_at, revoked_reason, last_used_at FROM sessions WHERE id = ?',
          [sid],
        );
        const tokens = await rows<Record<string, unknown>>(
          db,
          `SELECT LEFT(id, 8) AS id, LEFT(parent_id, 8) AS parent, created_at, spent_at
           FROM refresh_tokens WHERE session_id = ? ORDER BY created_at DESC LIMIT 6`,
          [sid],
        );
        broken.push({
          email: client.email,
          why: client.broken,
          history: client.history,
          session,
          tokens,
        });
      }

      const conflicts = await scrapeConflicts(instances);
      const statuses = load.map((s) => s.status);
      const unavailable = load.filter((s) => s.status === 503).length;
      const otherFivexx = load.filter((s) => s.status >= 500 && s.status !== 503).length;
      const transport = load.filter((s) => s.status === 0).length;
      const transfer = /STATE_TRANSFER=(\w+)/.exec(restartOutput)?.[1] ?? 'unknown';
      const byPhase = (predicate: (s: Sample) => boolean) =>
        countBy(load.filter(predicate).map((s) => `${s.phase} ${s.instance}`));
      report('galera-soak', {
        seconds: Math.round(elapsed * 10) / 10,
        sessions: clients.length,
        concurrency: CONCURRENCY,
        requests: load.length,
        refreshes: load.filter((s) => s.kind === 'refresh').length,
        statuses: countBy(statuses),
        outcomes: countBy(load.map((s) => `${s.kind} ${s.outcome}`)),
        unavailable,
        unavailableByPhaseAndInstance: byPhase((s) => s.status === 503),
        // Which second of the soak the 503s came in, and what they said.
        unavailableBySecond: countBy(
          load.filter((s) => s.status === 503).map((s) => Math.floor(s.at / 1000)),
        ),
        unavailableMessages: countBy(
          load.filter((s) => s.status >= 500).map((s) => `${s.instance}: ${s.message}`),
        ),
        requestsByPhase: countBy(load.map((s) => s.phase)),
        refreshesCommittedDespite503: committedDespite503,
        // The SQL invariants (asserted below): all 0, and one live token per session.
        spentWithTwoSuccessors: doubleChildren.length,
        sessionsWithTwoLiveTokens: doubleLive.length,
        clientsNotHoldingTheLiveToken: mismatches.length,
        liveSessions: live.length,
        otherFivexx,
        transportErrors: transport,
        p50ms: percentile(
          load.map((s) => s.ms),
          50,
        ),
        p99ms: percentile(
          load.map((s) => s.ms),
          99,
        ),
        maxMs: percentile(
          load.map((s) => s.ms),
          100,
        ),
        startedAt,
        timeline,
        chaosError,
        stateTransfer: transfer,
        rejoinLog: restartOutput
          .split('\n')
          .filter((l) => /IST|SST|State transfer|position/.test(l))
          .map((l) => l.trim()),
        connectionsOnRestartedNode: onVictim,
        tokenRowsPerNode: tokenRows,
        conflictsRetried: conflicts.retried,
        conflictsGaveUp: conflicts.gaveUp,
        conflictsByInstance: conflicts.byInstance,
        broken,
      });
      // What the instances logged (the last of it), for the causes of the 503s.
      writeFileSync(
        resolve(ROOT, 'test-output/galera-soak-instances.log'),
        instances.map((i) => `--- ${i.name}\n${i.output.join('')}\n`).join(''),
      );
      if (unexpected.length > 0 || otherFivexx > 0) {
        for (const instance of instances)
          process.stdout.write(`--- ${instance.name}\n${instance.logs()}\n`);
      }

      expect(chaosError).toBeUndefined();
      expect(unexpected).toEqual([]);
      expect(clients.filter((c) => c.broken).map((c) => `${c.email}: ${c.broken}`)).toEqual([]);
      expect(otherFivexx).toBe(0);
      expect(transport).toBe(0);
      expect(clients.filter((c) => c.unsettled).map((c) => c.email)).toEqual([]);
      // No spent token with two successors, no session with two live tokens, and every
      // session's live token is the one its client holds: nothing lost, nothing doubled.
      expect(doubleChildren).toEqual([]);
      expect(doubleLive).toEqual([]);
      expect(mismatches).toEqual([]);
      expect(live).toHaveLength(SESSIONS);
      // Node 2 rejoined from a peer's gcache, B uses it again, and it holds the same rows.
      expect(transfer).toBe('IST');
      expect(onVictim).toBeGreaterThan(0);
      expect([outcome(viaB), outcome(meViaB)]).toEqual(['200', '200']);
      expect(onNode2).toHaveLength(1);
      expect(new Set(tokenRows).size).toBe(1);
    },
    (SECONDS + 180) * 1000,
  );
});
