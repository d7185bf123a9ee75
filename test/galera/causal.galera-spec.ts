import {
  call,
  countBy,
  Instance,
  login,
  mapLimit,
  Pair,
  percentile,
  refresh,
  register,
  sleep,
} from '../cluster/harness';
import {
  freshGaleraDatabase,
  outcome,
  report,
  scrapeConflicts,
  startBallast,
  startOnNodes,
  stopAll,
} from './galera';

const TIMES = 200;
/** Pairs of requests in flight at once: enough load for the nodes to lag behind each other. */
const PARALLEL = 8;

interface Figures {
  /** Answers of the refresh sent on node 2's instance as soon as node 1's answered the login. */
  refreshAfterLogin: Record<string, number>;
  logins: Record<string, number>;
  /** Answers of GET /api/users/me on another node's instance as soon as the logout answered. */
  meAfterLogout: Record<string, number>;
  logouts: Record<string, number>;
  /** Latency of those refreshes and protected calls (p50 / p99 ms): what the waits cost. */
  refreshMs: [number, number];
  meMs: [number, number];
}

/**
 * A write on one node, then at once a read on another that must see it: "login on node 1,
 * refresh on node 2" and "logout on one node, protected call on another".
 */
async function writeThenRead(instances: Instance[], email: string): Promise<Figures> {
  const [a, b] = instances;
  await register(a, email);

  const chained = await mapLimit(
    Array.from({ length: TIMES }),
    PARALLEL,
    async (): Promise<[string, string | null, number]> => {
      const signedIn = await login(a, email);
      if (signedIn.status !== 200) return [outcome(signedIn), null, 0];
      const rotated = await refresh(b, signedIn.body.refreshToken);
      return ['200', outcome(rotated), rotated.ms];
    },
  );

  // The sessions to end, made beforehand on every instance and given time to replicate, so
  // that only the logout's own write is raced.
  const sessions = await mapLimit(Array.from({ length: TIMES }), PARALLEL, async (_, i) => {
    const signedIn = await login(instances[i % 3], email);
    if (signedIn.status !== 200) throw new Error(`login: ${outcome(signedIn)}`);
    return signedIn.body as Pair;
  });
  await sleep(1_000);
  const ended = await mapLimit(sessions, PARALLEL, async (pair, i) => {
    const logout = await call(instances[i % 3], 'POST', '/api/auth/logout', {
      body: { refreshToken: pair.refreshToken },
    });
    const me = await call(instances[(i + 1) % 3], 'GET', '/api/users/me', {
      token: pair.accessToken,
    });
    return [outcome(logout), outcome(me), me.ms] as const;
  });
  const p50p99 = (ms: number[]): [number, number] => [percentile(ms, 50), percentile(ms, 99)];

  return {
    logins: countBy(chained.map(([l]) => l)),
    refreshAfterLogin: countBy(chained.flatMap(([, r]) => (r === null ? [] : [r]))),
    logouts: countBy(ended.map(([l]) => l)),
    meAfterLogout: countBy(ended.map(([, m]) => m)),
    refreshMs: p50p99(chained.filter(([, r]) => r !== null).map(([, , ms]) => ms)),
    meMs: p50p99(ended.map(([, , ms]) => ms)),
  };
}

/**
 * writeThenRead twice: on a quiet cluster, then while node 1 also commits big transactions
 * (startBallast), which makes the other nodes apply late: the lag causal reads must wait out.
 */
async function quietAndBusy(instances: Instance[], suffix: string) {
  const quiet = await writeThenRead(instances, `${suffix}-quiet@example.com`);
  const ballast = await startBallast(suffix);
  let busy: Figures;
  let ballastUpdates: number;
  try {
    busy = await writeThenRead(instances, `${suffix}-busy@example.com`);
  } finally {
    ballastUpdates = await ballast.stop();
  }
  return { quiet, busy, ballastUpdates };
}

const stale = (figures: Figures) => ({
  refreshInvalid: figures.refreshAfterLogin['401 refresh_token_invalid'] ?? 0,
  meOkAfterLogout: figures.meAfterLogout['200'] ?? 0,
});

describe('galera: a write on one node, read at once on another', () => {
  describe('with causal reads (DATABASE_CAUSAL_READS auto: on for Galera)', () => {
    let instances: Instance[];

    beforeAll(async () => {
      instances = await startOnNodes(await freshGaleraDatabase('causal_on'));
    });

    afterAll(async () => {
      if (instances) await stopAll(instances);
    });

    it(`login on node 1 then refresh on node 2, logout then /me elsewhere, ${TIMES} times each`, async () => {
      const { quiet, busy, ballastUpdates } = await quietAndBusy(instances, 'causal_on');
      const conflicts = await scrapeConflicts(instances);
      report('galera-causal-reads-on', {
        times: TIMES,
        parallel: PARALLEL,
        quiet,
        busy,
        ballastUpdates,
        conflictsRetried: conflicts.retried,
        conflictsGaveUp: conflicts.gaveUp,
      });

      for (const figures of [quiet, busy]) {
        expect(figures.logins).toEqual({ '200': TIMES });
        // The refresh finds the token row the login wrote on another node: never invalid.
        expect(stale(figures)).toEqual({ refreshInvalid: 0, meOkAfterLogout: 0 });
        expect(figures.refreshAfterLogin).toEqual({ '200': TIMES });
        expect(figures.logouts).toEqual({ '204': TIMES });
        // The session check sees the revocation made on another node: never a 200.
        expect(figures.meAfterLogout).toEqual({ '401 token_revoked': TIMES });
      }
    });
  });

  describe('without causal reads (DATABASE_CAUSAL_READS=off): reported, not asserted', () => {
    let instances: Instance[];

    beforeAll(async () => {
      instances = await startOnNodes(await freshGaleraDatabase('causal_off'), {
        DATABASE_CAUSAL_READS: 'off',
      });
    });

    afterAll(async () => {
      if (instances) await stopAll(instances);
    });

    it('counts the stale reads that causal reads prevent', async () => {
      const { quiet, busy, ballastUpdates } = await quietAndBusy(instances, 'causal_off');
      const conflicts = await scrapeConflicts(instances);
      report('galera-causal-reads-off', {
        times: TIMES,
        parallel: PARALLEL,
        staleQuiet: stale(quiet),
        staleBusy: stale(busy),
        quiet,
        busy,
        ballastUpdates,
        conflictsRetried: conflicts.retried,
        conflictsGaveUp: conflicts.gaveUp,
      });
      for (const [label, figures] of [
        ['quiet cluster', quiet],
        ['node 1 busy', busy],
      ] as const) {
        const { refreshInvalid, meOkAfterLogout } = stale(figures);
        process.stdout.write(
          `[galera] without causal reads (${label}): ${refreshInvalid}/${TIMES} refreshes right ` +
            `after a login on another node answered refresh_token_invalid, ${meOkAfterLogout}/` +
            `${TIMES} protected calls right after a logout on another node answered 200\n`,
        );
      }
    });
  });
});
