import {
  call,
  countBy,
  Instance,
  login,
  mapLimit,
  Pair,
  refresh,
  register,
  sleep,
} from '../cluster/harness';
import {
  freshGaleraDatabase,
  outcome,
  report,
  scrapeConflicts,
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
    async (): Promise<[string, string | null]> => {
      const signedIn = await login(a, email);
      if (signedIn.status !== 200) return [outcome(signedIn), null];
      const rotated = await refresh(b, signedIn.body.refreshToken);
      return ['200', outcome(rotated)];
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
    return [outcome(logout), outcome(me)];
  });

  return {
    logins: countBy(chained.map(([l]) => l)),
    refreshAfterLogin: countBy(chained.flatMap(([, r]) => (r === null ? [] : [r]))),
    logouts: countBy(ended.map(([l]) => l)),
    meAfterLogout: countBy(ended.map(([, m]) => m)),
  };
}

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
      const figures = await writeThenRead(instances, 'causal-on@example.com');
      const conflicts = await scrapeConflicts(instances);
      report('galera-causal-reads-on', {
        times: TIMES,
        parallel: PARALLEL,
        ...figures,
        conflictsRetried: conflicts.retried,
        conflictsGaveUp: conflicts.gaveUp,
      });

      expect(figures.logins).toEqual({ '200': TIMES });
      // The refresh finds the token row the login wrote on another node: never invalid.
      expect(figures.refreshAfterLogin['401 refresh_token_invalid'] ?? 0).toBe(0);
      expect(figures.refreshAfterLogin).toEqual({ '200': TIMES });
      expect(figures.logouts).toEqual({ '204': TIMES });
      // The session check sees the revocation made on another node: never a 200.
      expect(figures.meAfterLogout['200'] ?? 0).toBe(0);
      expect(figures.meAfterLogout).toEqual({ '401 token_revoked': TIMES });
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
      const figures = await writeThenRead(instances, 'causal-off@example.com');
      const conflicts = await scrapeConflicts(instances);
      const staleRefreshes = figures.refreshAfterLogin['401 refresh_token_invalid'] ?? 0;
      const staleSessionChecks = figures.meAfterLogout['200'] ?? 0;
      report('galera-causal-reads-off', {
        times: TIMES,
        parallel: PARALLEL,
        staleRefreshes,
        staleSessionChecks,
        ...figures,
        conflictsRetried: conflicts.retried,
        conflictsGaveUp: conflicts.gaveUp,
      });
      process.stdout.write(
        `[galera] without causal reads: ${staleRefreshes}/${TIMES} refreshes right after a ` +
          `login on another node answered refresh_token_invalid, ${staleSessionChecks}/${TIMES} ` +
          'protected calls right after a logout on another node answered 200\n',
      );
    });
  });
});
