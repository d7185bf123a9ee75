import mysql from 'mysql2/promise';
import { countBy, Instance, jti, refresh, register, rows } from '../cluster/harness';
import {
  connectNode,
  freshGaleraDatabase,
  outcome,
  report,
  scrapeConflicts,
  startOnNodes,
  stopAll,
} from './galera';

const ROUNDS = 10;
const REQUESTS = 50;

/**
 * One token presented 50 times at once to three instances on three Galera nodes: the spends
 * race on different primaries, and the losers fail certification at COMMIT (1213) and retry.
 */
describe('galera: 50 concurrent refreshes of one token, one instance per node', () => {
  describe.each([
    ['grace 0', '0', 'g0'],
    ['grace 10s', '10s', 'g10'],
  ])('%s', (_label, grace, suffix) => {
    let instances: Instance[];
    let db: mysql.Connection;

    beforeAll(async () => {
      const database = await freshGaleraDatabase(`concurrent_${suffix}`);
      // All three race to migrate the empty database, each through its own node.
      instances = await startOnNodes(database, { REFRESH_REUSE_GRACE: grace });
      db = await connectNode(database.nodes[0]);
    });

    afterAll(async () => {
      await db?.end();
      if (instances) await stopAll(instances);
    });

    it('migrated once although the three started together on three nodes', async () => {
      const migrations = await rows<{ name: string; n: number }>(
        db,
        'SELECT name, COUNT(*) AS n FROM migrations GROUP BY name',
      );
      expect(migrations.length).toBeGreaterThan(0);
      expect(migrations.filter((row) => Number(row.n) !== 1)).toEqual([]);
    });

    it(`rotates the token exactly once, ${ROUNDS} rounds`, async () => {
      const rounds: {
        outcomes: Record<string, number>;
        successors: number;
        children: number;
        childIsSuccessor: boolean;
        spent: boolean;
        maxMs: number;
      }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const pair = await register(instances[round % 3], `race-${suffix}-${round}@example.com`);
        const replies = await Promise.all(
          Array.from({ length: REQUESTS }, (_, i) => refresh(instances[i % 3], pair.refreshToken)),
        );
        const successors = new Set(
          replies.filter((r) => r.status === 200).map((r) => r.body.refreshToken as string),
        );
        const parent = jti(pair.refreshToken);
        const spent = await rows<{ spent_at: Date | null }>(
          db,
          'SELECT spent_at FROM refresh_tokens WHERE id = ?',
          [parent],
        );
        const children = await rows<{ id: string }>(
          db,
          'SELECT id FROM refresh_tokens WHERE parent_id = ?',
          [parent],
        );
        rounds.push({
          outcomes: countBy(replies.map(outcome)),
          successors: successors.size,
          children: children.length,
          childIsSuccessor:
            children.length === 1 &&
            successors.size === 1 &&
            children[0].id === jti([...successors][0]),
          spent: spent[0]?.spent_at != null,
          maxMs: Math.round(Math.max(...replies.map((r) => r.ms))),
        });
      }

      const conflicts = await scrapeConflicts(instances);
      const totals: Record<string, number> = {};
      for (const r of rounds) {
        for (const [key, n] of Object.entries(r.outcomes)) totals[key] = (totals[key] ?? 0) + n;
      }
      report(`galera-concurrent-refresh-${suffix}`, {
        rounds: ROUNDS,
        requestsPerRound: REQUESTS,
        outcomes: totals,
        perRound: rounds.map((r) => r.outcomes),
        maxMs: Math.max(...rounds.map((r) => r.maxMs)),
        conflictsRetried: conflicts.retried,
        conflictsGaveUp: conflicts.gaveUp,
        conflictsByInstance: conflicts.byInstance,
      });

      // Grace 0: one winner, every other presentation is a replay: reuse. Inside a grace
      // window every presentation answers the one successor.
      const expected =
        grace === '0'
          ? { '200': 1, '401 refresh_token_reused': REQUESTS - 1 }
          : { '200': REQUESTS };
      expect(rounds.map((r) => r.outcomes)).toEqual(Array(ROUNDS).fill(expected));
      expect(rounds.map((r) => r.successors)).toEqual(Array(ROUNDS).fill(1));
      // One successor row in the database, and it is the token the 200s handed out.
      expect(rounds.map((r) => [r.spent, r.children, r.childIsSuccessor])).toEqual(
        Array(ROUNDS).fill([true, 1, true]),
      );
    });
  });
});
