import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import mysql from 'mysql2/promise';
import {
  baseMysqlUrl,
  connect,
  countBy,
  freshDatabase,
  Instance,
  jti,
  mapLimit,
  PASSWORD,
  refresh,
  Reply,
  report,
  rows,
  sleep,
  startInstance,
  stopAll,
} from './harness';
import { alive, childPids, connectionsTo, PinnedClient, pinnedClients } from './processes';

/** The workers' SHUTDOWN_TIMEOUT, and the test's bound on the primary's exit: plus 2 s + 3 s. */
const SHUTDOWN_TIMEOUT = '10s';
const SHUTDOWN_BOUND_MS = 10_000 + 2_000 + 3_000;

interface Sent extends Reply {
  client: number;
  /** The worker the client's connection was pinned to, if the request still went over it. */
  pid?: number;
  startedAt: number;
  endedAt: number;
  presented: string;
}

const label = (r: Reply) => (r.status === 0 ? `0 ${r.error}` : `${r.status} ${r.body?.code ?? ''}`);

/** Until the primary has two children that both answer: one pinned connection to each. */
async function twoServingWorkers(
  server: Instance,
): Promise<{ pids: number[]; clients: PinnedClient[] }> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    const pids = childPids(server.process.pid!);
    if (pids.length === 2) {
      try {
        const byPid = await pinnedClients(server, pids, 1, 40);
        return { pids, clients: pids.map((pid) => byPid.get(pid)![0]) };
      } catch (error) {
        last = (error as Error).message;
      }
    } else last = `children: ${pids.join(', ') || 'none'}`;
    await sleep(250);
  }
  throw new Error(`two serving workers did not appear (${last}):\n${server.logs()}`);
}

/**
 * WEB_CONCURRENCY=2: one `node dist/main.js` is a node:cluster primary with two worker
 * processes on one port. Which process served a connection is read from /proc (the socket's
 * inode among each process's fds), not from anything the server reports about itself. The
 * tests run in order on one server: the last one stops it.
 */
describe('cluster: WEB_CONCURRENCY=2, one server on MariaDB', () => {
  const started: Instance[] = [];
  const open: PinnedClient[] = [];
  let server: Instance;
  let db: mysql.Connection;
  let url: string;
  let workers: number[];
  let a: PinnedClient;
  let b: PinnedClient;

  beforeAll(async () => {
    url = await freshDatabase('web_concurrency');
    db = await connect(url);
    // Both workers race to migrate the empty database and to create the admin.
    server = await startInstance('W', url, {
      WEB_CONCURRENCY: '2',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT,
      METRICS_PUBLIC: 'true',
    });
    started.push(server);
    const serving = await twoServingWorkers(server);
    workers = serving.pids;
    [a, b] = serving.clients;
    open.push(a, b);
  });

  afterAll(async () => {
    for (const client of open) client.close();
    await db?.end();
    await stopAll(started);
  });

  it('is a primary with two worker processes that both answer; it migrated once', async () => {
    const primary = server.process.pid!;
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(primary);
    for (const pid of workers) {
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('dist/main.js');
    }
    expect(new Set([a.pid, b.pid])).toEqual(new Set(workers));

    const migrations = await rows<{ name: string; n: number }>(
      db,
      'SELECT name, COUNT(*) AS n FROM migrations GROUP BY name',
    );
    expect(migrations.length).toBeGreaterThan(0);
    for (const row of migrations) expect(Number(row.n)).toBe(1);
    const admins = await rows(db, 'SELECT id FROM users WHERE email = ?', ['admin@example.com']);
    expect(admins).toHaveLength(1);

    // The primary is no Nest app: it holds no connection to the database; the workers do.
    const dbPort = Number(new URL(baseMysqlUrl()).port || 3306);
    await Promise.all([a.call('GET', '/api/health'), b.call('GET', '/api/health')]);
    const held = Object.fromEntries(
      [primary, ...workers].map((pid) => [pid, connectionsTo(pid, dbPort)]),
    );
    report('web-concurrency-processes', { primary, workers, databaseConnections: held });
    expect(held[primary]).toBe(0);
    expect(workers.reduce((sum, pid) => sum + held[pid], 0)).toBeGreaterThan(0);
  });

  it('register, login, refresh, protected route and logout succeed across the two workers', async () => {
    const email = 'across-workers@example.com';
    const replies: (Reply & { pinned: boolean; on: string })[] = [];
    const on = async (
      client: PinnedClient,
      name: string,
      method: string,
      path: string,
      options: { body?: unknown; token?: string } = {},
    ) => {
      const reply = { ...(await client.call(method, path, options)), on: name };
      replies.push(reply);
      return reply;
    };

    const registered = await on(a, 'A', 'POST', '/api/auth/register', {
      body: { email, password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    const login = await on(b, 'B', 'POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(login.status).toBe(200);

    // The session's token chain rotates on A, B, A, B: each worker accepts the other's token.
    let pair = login.body;
    for (const [client, name] of [
      [a, 'A'],
      [b, 'B'],
      [a, 'A'],
      [b, 'B'],
    ] as const) {
      const rotated = await on(client, name, 'POST', '/api/auth/refresh', {
        body: { refreshToken: pair.refreshToken },
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body.refreshToken).not.toBe(pair.refreshToken);
      pair = rotated.body;
    }
    // The token pair B issued last, used on A; A's, on B.
    expect((await on(a, 'A', 'GET', '/api/users/me', { token: pair.accessToken })).status).toBe(
      200,
    );
    expect(
      (await on(b, 'B', 'GET', '/api/users/me', { token: registered.body.accessToken })).status,
    ).toBe(200);

    // Logout on A ends the session for B at once.
    const logout = await on(a, 'A', 'POST', '/api/auth/logout', {
      body: { refreshToken: pair.refreshToken },
    });
    expect(logout.status).toBe(204);
    const after = await on(b, 'B', 'GET', '/api/users/me', { token: pair.accessToken });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('token_revoked');

    report('web-concurrency-across', {
      requests: replies.map((r) => `${r.on} ${label(r)}`),
    });
    // Every request went over its pinned connection, so to the worker named.
    expect(replies.filter((r) => !r.pinned)).toEqual([]);
  });

  it("divides the bcrypt pool: each worker's queue limit is that of floor(cores / 2) threads", async () => {
    // BASE_TEST_ENV's BCRYPT_COST 4: 1000 queued jobs per thread (the ceiling of the formula).
    const perProcess = Math.max(1, Math.floor(availableParallelism() / 2));
    const limits = await Promise.all(
      [a, b].map(async (client) => {
        const reply = await client.call('GET', '/metrics');
        expect(reply.status).toBe(200);
        return Number(/^bcrypt_pool_queue_limit (\d+)$/m.exec(String(reply.body))?.[1]);
      }),
    );
    report('web-concurrency-bcrypt', { cores: availableParallelism(), perProcess, limits });
    expect(limits).toEqual([perProcess * 1000, perProcess * 1000]);
  });

  it('replaces a SIGKILLed worker (after the 1 s back-off); the other serves meanwhile', async () => {
    const [victim, survivor] = [a.pid, b.pid];
    const killedAt = performance.now();
    process.kill(victim, 'SIGKILL');

    // Meanwhile, the surviving worker keeps answering on its connection.
    const during: (Reply & { pinned: boolean })[] = [];
    let replacement: number | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && replacement === undefined) {
      during.push(await b.call('GET', '/api/health'));
      const children = childPids(server.process.pid!);
      if (children.length === 2 && !children.includes(victim)) {
        replacement = children.find((pid) => pid !== survivor);
      }
      await sleep(50);
    }
    expect(replacement).toBeDefined();
    const replacedMs = Math.round(performance.now() - killedAt);
    expect(alive(victim)).toBe(false);

    // The replacement serves: new connections reach it, and it takes the session of another.
    const fresh = await twoServingWorkers(server);
    expect(new Set(fresh.pids)).toEqual(new Set([survivor, replacement]));
    open.push(...fresh.clients);
    const onNew = fresh.clients.find((client) => client.pid === replacement)!;
    const email = 'after-replacement@example.com';
    const registered = await b.call('POST', '/api/auth/register', {
      body: { email, password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    const rotated = await onNew.call('POST', '/api/auth/refresh', {
      body: { refreshToken: registered.body.refreshToken },
    });

    const logs = server.logs();
    report('web-concurrency-replacement', {
      victim,
      replacement,
      replacedMs,
      answersMeanwhile: countBy(during.map(label)),
    });
    expect(rotated.status).toBe(200);
    expect(rotated.pinned).toBe(true);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((r) => r.status !== 200 || !r.pinned)).toEqual([]);
    expect(logs).toContain(`worker ${victim} exited unexpectedly with signal SIGKILL`);
    expect(logs).toContain('replacing it in 1000 ms');
    expect(replacedMs).toBeGreaterThanOrEqual(1_000);
    expect(server.running).toBe(true);
    workers = fresh.pids;
  });

  it('SIGTERM to the primary during a burst: in-flight requests finish, no 5xx, exit 0, no worker left', async () => {
    const PER_WORKER = 20;
    const byPid = await pinnedClients(server, workers, PER_WORKER);
    const clients = [...byPid.values()].flat();
    open.push(...clients);
    const tokens = await mapLimit(clients, 10, async (client, i) => {
      const reply = await client.call('POST', '/api/auth/register', {
        body: { email: `wc-burst-${i}@example.com`, password: PASSWORD },
      });
      if (reply.status !== 201) throw new Error(`register: ${label(reply)}`);
      return reply.body.refreshToken as string;
    });

    // Each client refreshes over its pinned connection in a tight loop, keeping the token it
    // was last given, until its first answer that is not 200.
    const sent: Sent[] = [];
    const held = [...tokens];
    const loops = clients.map(async (client, i) => {
      for (;;) {
        const presented = held[i];
        const startedAt = performance.now();
        const reply = await client.call('POST', '/api/auth/refresh', {
          body: { refreshToken: presented },
        });
        sent.push({
          ...reply,
          client: i,
          pid: reply.pinned ? client.pid : undefined,
          startedAt,
          endedAt: performance.now(),
          presented,
        });
        if (reply.status !== 200) return;
        held[i] = reply.body.refreshToken;
      }
    });

    await sleep(1_500);
    const primary = server.process.pid!;
    const signalAt = performance.now();
    server.process.kill('SIGTERM');
    let bound: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      server.exited,
      new Promise<null>((resolve) => (bound = setTimeout(resolve, SHUTDOWN_BOUND_MS, null))),
    ]);
    clearTimeout(bound);
    const exitMs = Math.round(performance.now() - signalAt);
    await Promise.all(loops);
    if (!exit) server.process.kill('SIGKILL');
    const left = workers.filter(alive);

    const inFlight = sent.filter((r) => r.startedAt < signalAt && r.endedAt >= signalAt);
    const finishedOk = (pid: number) =>
      inFlight.filter((r) => r.pid === pid && r.status === 200).length;
    const resets = sent.filter((r) => r.status === 0);
    // In the database: a request that got no HTTP answer changed nothing, and every client's
    // last token is live (no refresh spent a token without its answer reaching the client).
    const presentedRows = await rows<{ id: string; spent_at: Date | null }>(
      db,
      'SELECT id, spent_at FROM refresh_tokens WHERE id IN (?)',
      [[...held, ...resets.map((r) => r.presented)].map(jti)],
    );
    const spent = new Set(presentedRows.filter((r) => r.spent_at !== null).map((r) => r.id));
    const holdingSpent = held.map(jti).filter((id) => spent.has(id));
    const servedButUnanswered = resets.filter((r) => spent.has(jti(r.presented)));

    // A single-process server on the same database takes over every client.
    const successor = await startInstance('S', url, { LOG_LEVEL: 'warn' });
    started.push(successor);
    const takeOver = await Promise.all(held.map((token) => refresh(successor, token)));

    report('web-concurrency-shutdown', {
      clients: clients.length,
      refreshesBeforeSignal: sent.filter((r) => r.endedAt < signalAt && r.status === 200).length,
      exitMs,
      exitCode: exit?.code ?? 'no exit',
      exitSignal: exit?.signal ?? null,
      workersLeft: left,
      inFlightAtSignal: inFlight.length,
      inFlightFinished200: Object.fromEntries(workers.map((pid) => [pid, finishedOk(pid)])),
      inFlightAnswers: countBy(inFlight.map(label)),
      answersAfterSignal: countBy(sent.filter((r) => r.endedAt >= signalAt).map(label)),
      heldTokensSpent: holdingSpent.length,
      servedButUnanswered: servedButUnanswered.length,
      takeOver: countBy(takeOver.map(label)),
    });
    if (!exit || exit.code !== 0) process.stdout.write(`--- W (shut down)\n${server.logs()}\n`);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(SHUTDOWN_BOUND_MS);
    expect(left).toEqual([]);
    expect(alive(primary)).toBe(false);
    // The burst was under way on both workers, and what each was serving at the signal it
    // finished with 200.
    expect(sent.filter((r) => r.endedAt < signalAt).length).toBeGreaterThan(clients.length);
    for (const pid of workers) expect(finishedOk(pid)).toBeGreaterThan(0);
    // No 5xx but the contract's 503 of a closing worker, which answers before any work.
    expect(sent.filter((r) => r.status >= 500 && r.status !== 503).map(label)).toEqual([]);
    for (const r of sent.filter((reply) => reply.status === 503)) {
      expect(r.body).toMatchObject({ statusCode: 503, code: 'service_unavailable' });
    }
    expect(servedButUnanswered.map(label)).toEqual([]);
    expect(holdingSpent).toEqual([]);
    expect(countBy(takeOver.map(label))).toEqual({ '200 ': clients.length });
  });
});
