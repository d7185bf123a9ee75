import mysql from 'mysql2/promise';
import {
  call,
  connect,
  freshDatabase,
  Instance,
  jti,
  refresh,
  register,
  report,
  rows,
  startCluster,
  stopAll,
} from './harness';

/** Three instances on one database: they start together, and agree on every token. */
describe('cluster: three instances, one MariaDB', () => {
  describe.each([
    ['grace 0', '0', 'g0'],
    ['grace 10s', '10s', 'g10'],
  ])('%s', (_label, grace, suffix) => {
    let instances: Instance[];
    let db: mysql.Connection;

    beforeAll(async () => {
      const url = await freshDatabase(`cluster_${suffix}`);
      // All three race to migrate an empty database and to create the admin account.
      instances = await startCluster(3, url, { REFRESH_REUSE_GRACE: grace });
      db = await connect(url);
    });

    afterAll(async () => {
      await db?.end();
      if (instances) await stopAll(instances);
    });

    it('migrated once and created the admin once although all started together', async () => {
      const migrations = await rows<{ name: string; n: number }>(
        db,
        'SELECT name, COUNT(*) AS n FROM migrations GROUP BY name',
      );
      expect(migrations.length).toBeGreaterThan(0);
      for (const row of migrations) expect(Number(row.n)).toBe(1);
      const admins = await rows(db, 'SELECT id FROM users WHERE email = ?', ['admin@example.com']);
      expect(admins).toHaveLength(1);
    });

    it('logs in on A, refreshes on B, calls a protected route on C, logs out on A', async () => {
      const [a, b, c] = instances;
      const email = `abc-${suffix}@example.com`;
      await register(a, email);
      const login = await call(a, 'POST', '/api/auth/login', {
        body: { email, password: 'correct horse battery' },
      });
      expect(login.status).toBe(200);

      const rotated = await refresh(b, login.body.refreshToken);
      expect(rotated.status).toBe(200);
      expect(rotated.body.refreshToken).not.toBe(login.body.refreshToken);

      const me = await call(c, 'GET', '/api/users/me', { token: rotated.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.email).toBe(email);
      // The access token from A works on C too, until the session ends.
      expect(
        (await call(c, 'GET', '/api/users/me', { token: login.body.accessToken })).status,
      ).toBe(200);

      const logout = await call(a, 'POST', '/api/auth/logout', {
        body: { refreshToken: rotated.body.refreshToken },
      });
      expect(logout.status).toBe(204);
      const after = await call(b, 'GET', '/api/users/me', { token: rotated.body.accessToken });
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('token_revoked');
      const again = await refresh(c, rotated.body.refreshToken);
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('refresh_token_revoked');
    });

    it('50 concurrent refreshes of one token over three instances rotate it exactly once', async () => {
      const pair = await register(instances[0], `race-${suffix}@example.com`);
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) => refresh(instances[i % 3], pair.refreshToken)),
      );
      const statuses = replies.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500 || s === 0)).toEqual([]);
      const ok = replies.filter((r) => r.status === 200);
      const successors = new Set(ok.map((r) => r.body.refreshToken as string));

      if (grace === '0') {
        // One winner; every other presentation is a replay after a zero grace: reuse.
        expect(ok).toHaveLength(1);
        const losers = replies.filter((r) => r.status !== 200);
        expect(new Set(losers.map((r) => `${r.status} ${r.body.code}`))).toEqual(
          new Set(['401 refresh_token_reused']),
        );
      } else {
        // Inside the grace every presentation answers the one successor.
        expect(ok).toHaveLength(50);
        expect(successors.size).toBe(1);
      }

      const parent = jti(pair.refreshToken);
      const spent = await rows<{ spent_at: Date | null }>(
        db,
        'SELECT spent_at FROM refresh_tokens WHERE id = ?',
        [parent],
      );
      expect(spent[0].spent_at).not.toBeNull();
      const children = await rows<{ id: string }>(
        db,
        'SELECT id FROM refresh_tokens WHERE parent_id = ?',
        [parent],
      );
      expect(children).toHaveLength(1);
      expect(children[0].id).toBe(jti([...successors][0]));
      report(`concurrent-refresh-${suffix}`, {
        requests: replies.length,
        ok: ok.length,
        statuses: countBy(statuses),
        maxMs: Math.round(Math.max(...replies.map((r) => r.ms))),
      });
    });
  });
});

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
