import { TokenStore } from '../src/auth/token-store';
import { REFRESH_PROCEDURE } from '../src/auth/refresh-procedure';
import { refreshProcedure } from '../src/cli/commands/refresh-procedure.command';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/database.config';
import { buildDataSourceOptions } from '../src/database/typeorm-options';
import { registerUser, TokenPairBody } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { prepareTestDatabase } from './utils/db';
import { LogCapture } from './utils/log-capture';
import { isMysqlUnderTest } from './utils/test-env';

/**
 * The spend of a refresh token on MySQL/MariaDB as one CALL of a stored procedure
 * (src/auth/refresh-procedure.ts), and its fallback to the four statements where the procedure
 * is missing or may not be created. On SQLite the spend is one native transaction.
 */
describe('refresh spend: stored procedure and fallback (e2e)', () => {
  jest.setTimeout(120_000);

  const refresh = (t: TestApp, refreshToken: string) =>
    t.http().post('/api/auth/refresh').send({ refreshToken });
  const routines = async (t: TestApp) =>
    await t.dataSource.query<{ name: string; security: string }[]>(
      'SELECT ROUTINE_NAME AS name, SECURITY_TYPE AS security FROM information_schema.ROUTINES ' +
        'WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME = ?',
      [REFRESH_PROCEDURE],
    );
  const children = async (t: TestApp, parentId: string) =>
    await t.dataSource.query<{ id: string }[]>(
      'SELECT id, spent_at FROM refresh_tokens WHERE parent_id = ?',
      [parentId],
    );
  const jti = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { jti: string }).jti;

  if (!isMysqlUnderTest()) {
    it('on SQLite the spend is one native transaction, and no procedure is involved', async () => {
      const t = await createTestApp();
      try {
        const { pair } = await registerUser(t.http);
        const res = await refresh(t, pair.refreshToken);
        expect(res.status).toBe(200);
        expect(t.app.get(TokenStore).spendPath).toBe('sqlite');
        expect(await children(t, jti(pair.refreshToken))).toHaveLength(1);
        // The migration is a no-op here: it is recorded, nothing else.
        const ran = await t.dataSource.query<{ name: string }[]>('SELECT name FROM migrations');
        expect(ran.map((m) => m.name)).toContain('RefreshProcedure1765584000000');
      } finally {
        await t.close();
      }
    });
    return;
  }

  describe('with CREATE ROUTINE (the migration installs it)', () => {
    let t: TestApp;
    const logs = new LogCapture();
    beforeAll(async () => {
      t = await createTestApp({}, { logs });
    });
    afterAll(() => t.close());

    it('is created by the migration, SQL SECURITY INVOKER', async () => {
      expect(await routines(t)).toEqual([{ name: REFRESH_PROCEDURE, security: 'INVOKER' }]);
    });

    it('spends the token through one CALL: one successor, the session touched, reuse still detected', async () => {
      const { pair } = await registerUser(t.http);
      const sid = (
        JSON.parse(Buffer.from(pair.refreshToken.split('.')[1], 'base64url').toString()) as {
          sid: string;
        }
      ).sid;
      const session = async () =>
        (
          await t.dataSource.query<{ last_used_at: Date; refresh_expires_at: Date }[]>(
            'SELECT last_used_at, refresh_expires_at FROM sessions WHERE id = ?',
            [sid],
          )
        )[0];
      const before = await session();
      t.clock.advance(5);
      const res = await refresh(t, pair.refreshToken);
      expect(res.status).toBe(200);
      expect(t.app.get(TokenStore).spendPath).toBe('procedure');
      const next = res.body as TokenPairBody;
      const [parent] = await t.dataSource.query<{ spent_at: Date | null }[]>(
        'SELECT spent_at FROM refresh_tokens WHERE id = ?',
        [jti(pair.refreshToken)],
      );
      expect(parent.spent_at).not.toBeNull();
      expect((await children(t, jti(pair.refreshToken))).map((c) => c.id)).toEqual([
        jti(next.refreshToken),
      ]);
      // The session was touched in the same transaction: used 5 s later, idle end moved.
      const after = await session();
      expect(after.last_used_at.getTime() - before.last_used_at.getTime()).toBeGreaterThanOrEqual(
        5000,
      );
      expect(after.refresh_expires_at.getTime()).toBeGreaterThan(
        before.refresh_expires_at.getTime(),
      );
      // The successor works; the spent parent after the grace is reuse: the session ends.
      expect((await refresh(t, next.refreshToken)).status).toBe(200);
      t.clock.advance(11);
      const replay = await refresh(t, pair.refreshToken);
      expect({ status: replay.status, code: replay.body.code }).toEqual({
        status: 401,
        code: 'refresh_token_reused',
      });
    });

    it('20 presentations of one token at once: one successor row, every answer the same pair', async () => {
      const { pair } = await registerUser(t.http);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => refresh(t, pair.refreshToken)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(new Set(answers.map((a) => (a.body as TokenPairBody).refreshToken)).size).toBe(1);
      expect(await children(t, jti(pair.refreshToken))).toHaveLength(1);
    });

    it('dropped: refresh sends the statements instead, with one warning, and still rotates', async () => {
      await t.dataSource.query(`DROP PROCEDURE \`${REFRESH_PROCEDURE}\``);
      logs.clear();
      let token = (await registerUser(t.http)).pair.refreshToken;
      for (let i = 0; i < 3; i++) {
        const res = await refresh(t, token);
        expect(res.status).toBe(200);
        expect(await children(t, jti(token))).toHaveLength(1);
        token = (res.body as TokenPairBody).refreshToken;
      }
      expect(t.app.get(TokenStore).spendPath).toBe('statements');
      const warnings = logs.entries().filter((e) => String(e.msg).includes(REFRESH_PROCEDURE));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].msg).toContain('ER_SP_DOES_NOT_EXIST');
    });
  });

  describe('without CREATE ROUTINE (user auth_limited of scripts/mariadb-test.sh)', () => {
    let t: TestApp;
    let limitedUrl: string;
    let ownerUrl: string;
    /** The routines as the database's owner sees them (auth_limited would see none anyway). */
    const ownerRoutines = async () => {
      const owner = new DataSource({
        ...buildDataSourceOptions(parseDatabaseUrl(ownerUrl)),
        entities: [],
        migrations: [],
      });
      await owner.initialize();
      try {
        return await routines({ dataSource: owner } as TestApp);
      } finally {
        await owner.destroy();
      }
    };
    beforeAll(async () => {
      ownerUrl = await prepareTestDatabase();
      const url = new URL(ownerUrl);
      url.username = 'auth_limited';
      limitedUrl = url.toString();
      t = await createTestApp({ DATABASE_URL: limitedUrl });
    });
    afterAll(() => t?.close());

    it('the migration completes without the procedure, and refresh uses the statements', async () => {
      const ran = await t.dataSource.query<{ name: string }[]>('SELECT name FROM migrations');
      expect(ran.map((m) => m.name)).toContain('RefreshProcedure1765584000000');
      expect(await ownerRoutines()).toEqual([]);
      const { pair } = await registerUser(t.http);
      const res = await refresh(t, pair.refreshToken);
      expect(res.status).toBe(200);
      expect(t.app.get(TokenStore).spendPath).toBe('statements');
      expect(await children(t, jti(pair.refreshToken))).toHaveLength(1);
    });

    it('`refresh-procedure` refuses for that user with the reason, and installs it for one who may', async () => {
      await expect(refreshProcedure(parseDatabaseUrl(limitedUrl))).rejects.toThrow(
        /not created \(ER_\w+: .*\).*CREATE ROUTINE/,
      );
      expect(await ownerRoutines()).toEqual([]);
      await expect(refreshProcedure(parseDatabaseUrl(ownerUrl))).resolves.toMatch(
        `created ${REFRESH_PROCEDURE}`,
      );
      expect(await ownerRoutines()).toEqual([{ name: REFRESH_PROCEDURE, security: 'INVOKER' }]);
    });
  });
});
