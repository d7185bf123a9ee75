import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { TOKEN_PURGE_INTERVAL_NAME, TokenPurgeService } from '../src/auth/token-purge.service';
import { decodeJwt, login, registerUser, TokenPairBody } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { TEST_REFRESH_SECRET } from './utils/test-env';

const MINUTE = 60;
const HOUR = 3600;

const sidOf = (token: string) => decodeJwt(token).sid as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectError(res: Response, status: number, code: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { statusCode: status, code },
  });
}

/** Row counts of one session: its tokens, its spent tokens, and whether the session row is there. */
async function rowsOf(t: TestApp, sid: string) {
  const count = async (sql: string) => Number((await t.dataSource.query(sql, [sid]))[0].n);
  return {
    tokens: await count('SELECT COUNT(*) AS n FROM refresh_tokens WHERE session_id = ?'),
    spent: await count(
      'SELECT COUNT(*) AS n FROM refresh_tokens WHERE session_id = ? AND spent_at IS NOT NULL',
    ),
    session: await count('SELECT COUNT(*) AS n FROM sessions WHERE id = ?'),
  };
}

/** A refresh JWT signed with the real key and typ, for a jti the database never saw. */
function signUnknownRefresh(sub: string, sid: string, exp: number): string {
  return jwt.sign({ sub, sid, exp }, TEST_REFRESH_SECRET, {
    algorithm: 'HS256',
    header: { alg: 'HS256', typ: 'rt+jwt' },
    issuer: 'nest-auth-service',
    audience: 'nest-auth-service',
    jwtid: randomUUID(),
  });
}

function clientFor(t: TestApp) {
  const refresh = (refreshToken: string) =>
    t.http().post('/api/auth/refresh').send({ refreshToken });
  return {
    refresh,
    refreshOk: async (refreshToken: string) => {
      const res = await refresh(refreshToken);
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
      return res.body as TokenPairBody;
    },
    logout: (refreshToken: string) => t.http().post('/api/auth/logout').send({ refreshToken }),
  };
}

/** A session with three rows: the first two tokens spent (outside the grace), the third live. */
async function sessionWithThreeRows(t: TestApp, c: ReturnType<typeof clientFor>, first: string) {
  const second = await c.refreshOk(first);
  const third = await c.refreshOk(second.refreshToken);
  return { sid: sidOf(first), spent: [first, second.refreshToken], live: third.refreshToken };
}

describe('token purge (e2e)', () => {
  describe('purgeOnce (SESSION_MAX_TTL=2h, REFRESH_TOKEN_TTL=1h, TOKEN_PURGE_BATCH=3)', () => {
    let t: TestApp;
    let c: ReturnType<typeof clientFor>;
    let purge: TokenPurgeService;
    beforeAll(async () => {
      t = await createTestApp({
        SESSION_MAX_TTL: '2h',
        REFRESH_TOKEN_TTL: '1h',
        TOKEN_PURGE_BATCH: '3',
        TOKEN_PURGE_INTERVAL: '0',
      });
      c = clientFor(t);
      purge = t.app.get(TokenPurgeService);
    });
    afterAll(() => t.close());

    it('deletes, in batches, only the rows of sessions that ended over an hour ago', async () => {
      // t0: four sessions of three rows each (12 tokens), ending at t0 + 2h.
      const { email, password, pair } = await registerUser(t.http);
      const old = [await sessionWithThreeRows(t, c, pair.refreshToken)];
      for (let i = 0; i < 3; i++) {
        const next = await login(t.http, email, password);
        old.push(await sessionWithThreeRows(t, c, next.refreshToken));
      }
      // t0 + 30 min: a session ending at t0 + 2h30, inside the one-hour margin at purge time.
      t.clock.advance(30 * MINUTE);
      const margin = await sessionWithThreeRows(
        t,
        c,
        (await login(t.http, email, password)).refreshToken,
      );
      // t0 + 3h01: the old sessions ended 1h01 ago; a fresh session is live.
      t.clock.advance(2 * HOUR + 31 * MINUTE);
      const live = await sessionWithThreeRows(
        t,
        c,
        (await login(t.http, email, password)).refreshToken,
      );

      for (const s of [...old, margin, live]) {
        expect(await rowsOf(t, s.sid)).toEqual({ tokens: 3, spent: 2, session: 1 });
      }
      // What a client sees before the purge...
      expectError(await c.refresh(old[0].live), 401, 'refresh_token_expired');
      expectError(await c.refresh(old[0].spent[0]), 401, 'refresh_token_expired');

      // 12 tokens: four full batches of 3 (the fifth select finds none); 4 sessions: 3 + 1.
      expect(await purge.purgeOnce()).toEqual({ tokens: 12, sessions: 4, links: 0, batches: 6 });

      for (const s of old) {
        expect(await rowsOf(t, s.sid)).toEqual({ tokens: 0, spent: 0, session: 0 });
      }
      // Spent tokens of sessions not yet purgeable are kept: reuse detection needs them.
      expect(await rowsOf(t, margin.sid)).toEqual({ tokens: 3, spent: 2, session: 1 });
      expect(await rowsOf(t, live.sid)).toEqual({ tokens: 3, spent: 2, session: 1 });

      // ...and after it: the same answers (5b), logout an idempotent 204.
      expectError(await c.refresh(old[0].live), 401, 'refresh_token_expired');
      expectError(await c.refresh(old[1].spent[0]), 401, 'refresh_token_expired');
      await c.logout(old[2].live).expect(204);
      await c.logout(old[3].spent[1]).expect(204);

      // The live session keeps working, and still recognises its spent tokens as reused.
      const next = await c.refreshOk(live.live);
      expectError(await c.refresh(live.spent[0]), 401, 'refresh_token_reused');
      expectError(await c.refresh(next.refreshToken), 401, 'refresh_token_revoked');
    });

    it('deletes mfa tokens, reset and verification links an hour after they expired', async () => {
      const { email, pair } = await registerUser(t.http);
      await t.http().post('/api/auth/password/forgot').send({ email }).expect(202);
      // The forgot write is not awaited by its answer: wait until its row is there.
      const count = (table: string) =>
        t.dataSource
          .query(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?`, [pair.user.id])
          .then((rows: { n: number | string }[]) => Number(rows[0].n));
      for (let i = 0; i < 100 && (await count('password_reset_tokens')) === 0; i++) {
        await new Promise((ok) => setTimeout(ok, 20));
      }
      expect(await count('password_reset_tokens')).toBe(1);
      expect(await count('email_verification_tokens')).toBe(1);
      // The reset link (30 min) is expired for over an hour; the verification link (24 h) not.
      t.clock.advance(2 * HOUR);
      expect((await purge.purgeOnce()).links).toBeGreaterThanOrEqual(1);
      expect(await count('password_reset_tokens')).toBe(0);
      expect(await count('email_verification_tokens')).toBe(1);
      t.clock.advance(24 * HOUR);
      await purge.purgeOnce();
      expect(await count('email_verification_tokens')).toBe(0);
    });

    it('is idempotent: a second run finds nothing and deletes nothing', async () => {
      const { pair } = await registerUser(t.http);
      const s = await sessionWithThreeRows(t, c, pair.refreshToken);
      t.clock.advance(3 * HOUR + MINUTE);
      const first = await purge.purgeOnce();
      expect(first.tokens).toBeGreaterThanOrEqual(3);
      expect(first.sessions).toBeGreaterThanOrEqual(1);
      expect(await rowsOf(t, s.sid)).toEqual({ tokens: 0, spent: 0, session: 0 });
      expect(await purge.purgeOnce()).toEqual({ tokens: 0, sessions: 0, links: 0, batches: 0 });
    });

    it('two runs at once (as on two instances) delete each row once and never fail', async () => {
      const { email, password, pair } = await registerUser(t.http);
      const sessions = [await sessionWithThreeRows(t, c, pair.refreshToken)];
      for (let i = 0; i < 3; i++) {
        const next = await login(t.http, email, password);
        sessions.push(await sessionWithThreeRows(t, c, next.refreshToken));
      }
      t.clock.advance(3 * HOUR + MINUTE);
      const [a, b] = await Promise.all([purge.purgeOnce(), purge.purgeOnce()]);
      expect(a.tokens + b.tokens).toBe(12);
      expect(a.sessions + b.sessions).toBe(4);
      for (const s of sessions) {
        expect(await rowsOf(t, s.sid)).toEqual({ tokens: 0, spent: 0, session: 0 });
      }
    });

    it('an unknown jti with a future exp stays refresh_token_invalid; with a past exp it is expired', async () => {
      const { pair } = await registerUser(t.http);
      const { sub, sid } = decodeJwt(pair.refreshToken);
      const now = Math.floor(t.clock.now().getTime() / 1000);

      const future = signUnknownRefresh(sub, sid, now + HOUR);
      expectError(await c.refresh(future), 401, 'refresh_token_invalid');
      expectError(await c.logout(future), 401, 'refresh_token_invalid');

      const past = signUnknownRefresh(sub, sid, now - MINUTE);
      expectError(await c.refresh(past), 401, 'refresh_token_expired');
      await c.logout(past).expect(204);
      // Neither touched the real session.
      await c.refreshOk(pair.refreshToken);
    });

    it('the index the purge relies on exists, and the entities agree with the migrations', async () => {
      const runner = t.dataSource.createQueryRunner();
      try {
        const table = await runner.getTable('sessions');
        const index = table?.indices.find((i) => i.name === 'idx_sessions_expires_at');
        expect(index?.columnNames).toEqual(['expires_at']);
      } finally {
        await runner.release();
      }
      // Only this index is this change's: TypeORM's schema diff has unrelated noise elsewhere
      // (users' unique email on SQLite; NULL defaults and FK names on MariaDB).
      const pending = await t.dataSource.driver.createSchemaBuilder().log();
      const indexQueries = pending.upQueries.filter((q) => /idx_sessions_expires_at/.test(q.query));
      expect(indexQueries.map((q) => q.query)).toEqual([]);
    });
  });

  describe('reuse is recognised until the absolute end (SESSION_MAX_TTL=2h, REFRESH_TOKEN_TTL=30m)', () => {
    let t: TestApp;
    let c: ReturnType<typeof clientFor>;
    beforeAll(async () => {
      t = await createTestApp({
        SESSION_MAX_TTL: '2h',
        REFRESH_TOKEN_TTL: '30m',
        TOKEN_PURGE_INTERVAL: '0',
      });
      c = clientFor(t);
    });
    afterAll(() => t.close());

    it('a spent token past its own expiry, before the session end, answers reused and revokes', async () => {
      const { pair } = await registerUser(t.http);
      const next = await c.refreshOk(pair.refreshToken);
      t.clock.advance(31 * MINUTE);
      expectError(await c.refresh(pair.refreshToken), 401, 'refresh_token_reused');
      const [row] = await t.dataSource.query(
        'SELECT revoked_reason AS reason FROM sessions WHERE id = ?',
        [sidOf(pair.refreshToken)],
      );
      expect(row.reason).toBe('reuse_detected');
      expectError(await c.refresh(next.refreshToken), 401, 'refresh_token_revoked');
    });

    it('an unspent token past its own expiry is still just expired, and revokes nothing', async () => {
      const { pair } = await registerUser(t.http);
      t.clock.advance(31 * MINUTE);
      expectError(await c.refresh(pair.refreshToken), 401, 'refresh_token_expired');
      const [row] = await t.dataSource.query('SELECT revoked_at AS at FROM sessions WHERE id = ?', [
        sidOf(pair.refreshToken),
      ]);
      expect(row.at).toBeNull();
    });

    it('after the absolute end a spent token is expired, not reused', async () => {
      const { pair } = await registerUser(t.http);
      await c.refreshOk(pair.refreshToken);
      t.clock.advance(2 * HOUR + MINUTE);
      expectError(await c.refresh(pair.refreshToken), 401, 'refresh_token_expired');
      const [row] = await t.dataSource.query('SELECT revoked_at AS at FROM sessions WHERE id = ?', [
        sidOf(pair.refreshToken),
      ]);
      expect(row.at).toBeNull();
    });
  });

  describe('the schedule (real timers)', () => {
    jest.setTimeout(15_000);
    afterEach(() => jest.restoreAllMocks());

    it('TOKEN_PURGE_INTERVAL=0 registers no interval', async () => {
      const t = await createTestApp({ TOKEN_PURGE_INTERVAL: '0' });
      try {
        expect(t.app.get(SchedulerRegistry).getIntervals()).toEqual([]);
      } finally {
        await t.close();
      }
    });

    it('TOKEN_PURGE_INTERVAL=1s purges on its own, within a few seconds', async () => {
      const t = await createTestApp({
        SESSION_MAX_TTL: '1h',
        TOKEN_PURGE_INTERVAL: '1s',
        TOKEN_PURGE_BATCH: '3',
      });
      try {
        expect(t.app.get(SchedulerRegistry).getIntervals()).toEqual([TOKEN_PURGE_INTERVAL_NAME]);
        const c = clientFor(t);
        const { pair } = await registerUser(t.http);
        const s = await sessionWithThreeRows(t, c, pair.refreshToken);
        t.clock.advance(2 * HOUR + MINUTE);
        const deadline = Date.now() + 3_000;
        while ((await rowsOf(t, s.sid)).session > 0 && Date.now() < deadline) await sleep(100);
        expect(await rowsOf(t, s.sid)).toEqual({ tokens: 0, spent: 0, session: 0 });
      } finally {
        await t.close();
      }
    });

    it('skips ticks while a run is still going', async () => {
      const t = await createTestApp({ TOKEN_PURGE_INTERVAL: '1s' });
      const pending: (() => void)[] = [];
      const finishAll = () => pending.splice(0).forEach((finish) => finish());
      try {
        const spy = jest.spyOn(t.app.get(TokenPurgeService), 'purgeOnce').mockImplementation(
          () =>
            new Promise((resolve) => {
              pending.push(() => resolve({ tokens: 0, sessions: 0, links: 0, batches: 0 }));
            }),
        );
        await sleep(2_600);
        expect(spy).toHaveBeenCalledTimes(1);
        finishAll();
        await sleep(1_200);
        expect(spy).toHaveBeenCalledTimes(2);
      } finally {
        finishAll();
        await t.close();
      }
    });

    it('a failed run is logged, the app keeps serving, and the next tick runs again', async () => {
      const t = await createTestApp({ TOKEN_PURGE_INTERVAL: '1s' });
      try {
        const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
        const spy = jest
          .spyOn(t.app.get(TokenPurgeService), 'purgeOnce')
          .mockRejectedValue(new Error('database went away'));
        await sleep(2_300);
        expect(spy.mock.calls.length).toBeGreaterThanOrEqual(2);
        expect(logged).toHaveBeenCalledWith(
          expect.stringContaining('token purge failed: Error: database went away'),
          expect.any(String),
        );
        await t.http().get('/api/health').expect(200);
      } finally {
        await t.close();
      }
    });
  });
});
