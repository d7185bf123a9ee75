import { readFileSync } from 'node:fs';
import {
  call,
  connect,
  freshDatabase,
  Instance,
  jti,
  mariadb,
  mariadbPid,
  Pair,
  refresh,
  register,
  report,
  Reply,
  rows,
  sleep,
  startCluster,
  stopAll,
} from './harness';

/**
 * The database server is shut down while requests flow, then started again. Runs against the
 * server scripts/mariadb-test.sh started (it stops and starts that one), so the cluster suite
 * runs in band.
 */
describe('cluster: the database goes away and comes back', () => {
  const BOUND_MS = 2_000;
  let url: string;
  let instances: Instance[];

  interface Sample extends Reply {
    at: number;
    route: string;
    instance: string;
  }
  const samples: Sample[] = [];

  beforeAll(async () => {
    url = await freshDatabase('outage');
    instances = await startCluster(2, url);
  });

  afterAll(async () => {
    // Whatever happened, leave the server running for the files after this one.
    await mariadb('start-server').catch(() => undefined);
    if (instances) await stopAll(instances);
  });

  /** Every route that needs the database, once, on one instance. */
  async function probeAll(instance: Instance, pair: Pair, spare: string): Promise<Sample[]> {
    const probes: [string, Promise<Reply>][] = [
      ['GET /api/users/me', call(instance, 'GET', '/api/users/me', { token: pair.accessToken })],
      [
        'GET /api/auth/sessions',
        call(instance, 'GET', '/api/auth/sessions', { token: pair.accessToken }),
      ],
      ['GET /api/articles', call(instance, 'GET', '/api/articles')],
      [
        'POST /api/articles',
        call(instance, 'POST', '/api/articles', {
          token: pair.accessToken,
          body: { title: 't', body: 'b' },
        }),
      ],
      [
        'POST /api/auth/login',
        call(instance, 'POST', '/api/auth/login', {
          body: { email: pair.user.email, password: 'correct horse battery' },
        }),
      ],
      [
        'POST /api/auth/register',
        call(instance, 'POST', '/api/auth/register', {
          body: { email: `during-${Date.now()}@example.com`, password: 'correct horse battery' },
        }),
      ],
      ['POST /api/auth/refresh', refresh(instance, spare)],
      ['GET /api/health', call(instance, 'GET', '/api/health')],
    ];
    const at = Date.now();
    return Promise.all(
      probes.map(async ([route, reply]) => ({
        ...(await reply),
        at,
        route,
        instance: instance.name,
      })),
    );
  }

  /**
   * One outage with traffic flowing on both instances: `down` takes the database away,
   * `up` brings it back. Checks everything the issue asks and reports the figures.
   */
  async function outage(label: string, down: () => Promise<void>, up: () => Promise<void>) {
    samples.length = 0;
    const [a, b] = instances;
    const users = await Promise.all(
      Array.from({ length: 6 }, (_, i) => register(i % 2 ? b : a, `${label}-${i}@example.com`)),
    );
    // kept: valid before the outage, untouched during it. tried: presented during the outage.
    const [kept, tried, ...flowing] = users;

    // Background traffic on both instances for the whole test: each flowing session keeps
    // refreshing its own chain and calling a protected route; plus a public database read.
    let running = true;
    const chains = flowing.map((pair) => ({ ...pair }));
    const loops = chains.map(async (chain, i) => {
      const target = instances[i % 2];
      const note = (route: string, reply: Reply) =>
        samples.push({ ...reply, at: Date.now(), route: `loop ${route}`, instance: target.name });
      while (running) {
        note(
          'GET /api/users/me',
          await call(target, 'GET', '/api/users/me', { token: chain.accessToken }),
        );
        const next = await refresh(target, chain.refreshToken);
        note('POST /api/auth/refresh', next);
        if (next.status === 200) Object.assign(chain, next.body);
        note('GET /api/articles', await call(target, 'GET', '/api/articles'));
        await sleep(50);
      }
    });

    await sleep(1_000);
    const downStarted = Date.now();
    await down();
    const downConfirmed = Date.now();

    // While it is down: every database route answers 503 service_unavailable, within the bound.
    const duringProbes: Sample[] = [];
    for (let round = 0; round < 3; round++) {
      for (const instance of instances) {
        duringProbes.push(...(await probeAll(instance, kept, tried.refreshToken)));
      }
      // Public routes that need no database keep working.
      for (const instance of instances) {
        const docs = await call(instance, 'GET', '/docs-json');
        expect(docs.status).toBe(200);
        expect(docs.body.openapi).toBeDefined();
      }
      await sleep(300);
    }
    for (const probe of duringProbes) {
      expect({ route: probe.route, status: probe.status }).toEqual({
        route: probe.route,
        status: 503,
      });
      if (probe.route === 'GET /api/health') {
        expect(probe.body).toEqual({ status: 'error', db: 'down' });
      } else {
        expect(probe.body.code).toBe('service_unavailable');
      }
      expect(probe.ms).toBeLessThan(BOUND_MS);
    }
    for (const instance of instances) expect(instance.running).toBe(true);

    // It comes back: the same processes recover by themselves.
    await up();
    const upAt = Date.now();
    const recoveredAt: Record<string, number> = {};
    await Promise.all(
      instances.map(async (instance) => {
        while (Date.now() - upAt < 30_000) {
          const me = await call(instance, 'GET', '/api/users/me', { token: kept.accessToken });
          if (me.status === 200) {
            recoveredAt[instance.name] = Date.now();
            return;
          }
          await sleep(25);
        }
      }),
    );
    expect(Object.keys(recoveredAt).sort()).toEqual(['A', 'B']);
    await sleep(1_000);
    running = false;
    await Promise.all(loops);

    // No session lost: the untouched token and the one tried during the outage are unspent…
    const db = await connect(url);
    try {
      const unspent = await rows<{ spent_at: Date | null }>(
        db,
        'SELECT spent_at FROM refresh_tokens WHERE id IN (?, ?)',
        [jti(kept.refreshToken), jti(tried.refreshToken)],
      );
      expect(unspent.map((row) => row.spent_at)).toEqual([null, null]);
    } finally {
      await db.end();
    }
    // …and both rotate now.
    expect((await refresh(a, kept.refreshToken)).status).toBe(200);
    expect((await refresh(b, tried.refreshToken)).status).toBe(200);
    // Every flowing chain is still alive: its refreshes during the outage lost it nothing.
    for (const [i, chain] of chains.entries()) {
      const next = await refresh(instances[i % 2], chain.refreshToken);
      expect({ chain: i, status: next.status }).toEqual({ chain: i, status: 200 });
    }

    // The background traffic: no 500, no hang, no dropped connection, no lost session.
    const all = [...samples, ...duringProbes];
    const unexpected = all.filter((s) => s.status === 0 || (s.status >= 400 && s.status !== 503));
    expect(unexpected.map((s) => `${s.route} ${s.status} ${s.error ?? s.body?.code}`)).toEqual([]);
    const unavailable = all.filter((s) => s.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const s of unavailable) expect(s.ms).toBeLessThan(BOUND_MS);

    report(`outage-${label}`, {
      requests: all.length,
      unavailable503: unavailable.length,
      other5xx: all.filter((s) => s.status >= 500 && s.status !== 503).length,
      longest503Ms: Math.round(Math.max(...unavailable.map((s) => s.ms))),
      p50_503Ms: Math.round(
        percentile(
          unavailable.map((s) => s.ms),
          50,
        ),
      ),
      downMs: downConfirmed - downStarted,
      recoveryMs: Object.fromEntries(
        Object.entries(recoveredAt).map(([name, at]) => [name, at - upAt]),
      ),
    });
  }

  it('server shut down: 503 within 2 s, recovers without a restart, loses no session', () =>
    outage(
      'stopped',
      () => mariadb('stop-server'),
      () => mariadb('start-server'),
    ));

  it('server frozen (SIGSTOP): every wait is bounded, 503 within 2 s, recovers on SIGCONT', async () => {
    const pid = mariadbPid();
    try {
      await outage(
        'frozen',
        async () => {
          process.kill(pid, 'SIGSTOP');
          // Probe only once the kernel reports the server stopped ('T'), and queries that
          // were already being answered have drained.
          const deadline = Date.now() + 5_000;
          while (!/\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) {
            if (Date.now() > deadline) throw new Error(`mariadbd ${pid} did not stop`);
            await sleep(10);
          }
          await sleep(200);
        },
        async () => {
          process.kill(pid, 'SIGCONT');
        },
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
