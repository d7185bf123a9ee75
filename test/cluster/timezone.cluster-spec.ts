import { spawnSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import {
  call,
  claims,
  connect,
  freshDatabase,
  Instance,
  jti,
  login,
  Pair,
  refresh,
  register,
  Reply,
  report,
  rows,
  sleep,
  startInstance,
  stopAll,
} from './harness';

const NEW_YORK = 'America/New_York';
const KOLKATA = 'Asia/Kolkata';

/** Minutes east of UTC that Node applies under `TZ=zone` (0 if it does not know the zone). */
function offsetUnder(zone: string): number {
  const out = spawnSync(
    process.execPath,
    ['-e', 'process.stdout.write(String(-new Date().getTimezoneOffset()))'],
    {
      env: { PATH: process.env.PATH, TZ: zone },
      encoding: 'utf8',
    },
  );
  return Number(out.stdout);
}

const secondsUntil = (iso: string | Date) => (new Date(iso).getTime() - Date.now()) / 1000;

/** The session `sid` in a GET /api/auth/sessions answer (undefined when not listed). */
function listedSession(reply: Reply, sid: string): { id: string; expiresAt: string } | undefined {
  const list = Array.isArray(reply.body) ? (reply.body as { id: string; expiresAt: string }[]) : [];
  return list.find((s) => s.id === sid);
}

/**
 * Instances in New York and Kolkata time on one database that runs in UTC: every instant they
 * write must mean the same for the other, for the database's own clock, and for the client.
 * (The app keeps DATETIME columns in UTC: `timezone: 'Z'` in src/database/typeorm-options.ts.)
 */
describe('cluster: app time zones differ from the database (UTC)', () => {
  let db: mysql.Connection;
  let instances: Instance[] = [];
  // REFRESH_TOKEN_TTL=6s, SESSION_MAX_TTL=1h
  let ny: Instance;
  let kolkata: Instance;
  // SESSION_MAX_TTL=8s, ACCESS_TOKEN_TTL=1h: the absolute end, checked alongside.
  let ny8: Instance;
  let kolkata8: Instance;
  let absoluteEnd: Promise<{ loginAt: number; pair: Pair; early: Reply[]; late: Reply[] }>;

  beforeAll(async () => {
    const url = await freshDatabase('timezone');
    db = await connect(url);
    const short = { REFRESH_TOKEN_TTL: '6s', SESSION_MAX_TTL: '1h' };
    const ends = { SESSION_MAX_TTL: '8s', ACCESS_TOKEN_TTL: '1h' };
    instances = await Promise.all([
      startInstance('NY', url, { TZ: NEW_YORK, ...short }),
      startInstance('Kolkata', url, { TZ: KOLKATA, ...short }),
      startInstance('NY8', url, { TZ: NEW_YORK, ...ends }),
      startInstance('Kolkata8', url, { TZ: KOLKATA, ...ends }),
    ]);
    [ny, kolkata, ny8, kolkata8] = instances;

    // Runs while the other tests do: a session that ends 8 s after its login on NY8.
    await register(ny8, 'absolute@example.com');
    absoluteEnd = (async () => {
      const loginAt = Date.now();
      const reply = await login(ny8, 'absolute@example.com');
      const pair = reply.body as Pair;
      await sleep(1_000 - (Date.now() - loginAt));
      const early = await Promise.all(
        [kolkata8, ny8].map((i) => call(i, 'GET', '/api/users/me', { token: pair.accessToken })),
      );
      await sleep(9_000 - (Date.now() - loginAt));
      const late = await Promise.all(
        [kolkata8, ny8].map((i) => call(i, 'GET', '/api/users/me', { token: pair.accessToken })),
      );
      return { loginAt, pair, early, late };
    })();
  });

  afterAll(async () => {
    await absoluteEnd?.catch(() => undefined);
    await db?.end();
    await stopAll(instances);
  });

  it('the instances run in their zones and the database in UTC', async () => {
    // A zone Node did not know would silently be UTC, and this suite would prove nothing.
    expect([-300, -240]).toContain(offsetUnder(NEW_YORK));
    expect(offsetUnder(KOLKATA)).toBe(330);

    const [server] = await rows<{ global: string; system: string; drift: number }>(
      db,
      `SELECT @@global.time_zone AS global, @@system_time_zone AS system,
              TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) AS drift`,
    );
    const utc = ['+00:00', 'UTC', 'Etc/UTC'];
    expect(
      utc.includes(server.global) || (server.global === 'SYSTEM' && utc.includes(server.system)),
    ).toBe(true);
    expect(Math.abs(Number(server.drift))).toBeLessThanOrEqual(1);
    // The database's clock and this process's agree (one machine).
    const [{ now }] = await rows<{ now: Date }>(db, 'SELECT UTC_TIMESTAMP(3) AS now');
    expect(Math.abs(now.getTime() - Date.now())).toBeLessThan(2_000);
  });

  it('login in New York, list and refresh in Kolkata, expiry judged in New York', async () => {
    const email = 'zones@example.com';
    await register(ny, email);
    const loginAt = Date.now();
    const first = await login(ny, email);
    expect(first.status).toBe(200);
    const pair = first.body as Pair;
    const sid = claims(pair.refreshToken).sid as string;

    // The rows NY wrote, measured against the database's own UTC clock (no JS conversion).
    const [session] = await rows<{ end_s: number; refresh_s: number; created_s: number }>(
      db,
      `SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), expires_at) AS end_s,
              TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), refresh_expires_at) AS refresh_s,
              TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), created_at) AS created_s
         FROM sessions WHERE id = ?`,
      [sid],
    );
    const [token] = await rows<{ end_s: number; created_s: number; expires_at: Date }>(
      db,
      `SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), expires_at) AS end_s,
              TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), created_at) AS created_s, expires_at
         FROM refresh_tokens WHERE id = ?`,
      [jti(pair.refreshToken)],
    );
    // The same rows read as instants through a UTC ('Z') connection.
    const [sessionDates] = await rows<{ expires_at: Date }>(
      db,
      'SELECT expires_at FROM sessions WHERE id = ?',
      [sid],
    );
    const sessionEndViaJs = secondsUntil(sessionDates.expires_at);

    // Kolkata lists the session NY started, its refresh expiry in UTC ISO form.
    const listed = await call(kolkata, 'GET', '/api/auth/sessions', { token: pair.accessToken });
    const listedOnKolkata = listedSession(listed, sid);
    const listedEndsIn = listedOnKolkata ? secondsUntil(listedOnKolkata.expiresAt) : NaN;

    // At ~1 s Kolkata rotates the token NY issued.
    await sleep(1_000 - (Date.now() - loginAt));
    const rotated = await refresh(kolkata, pair.refreshToken);
    const rotatedAt = Date.now();
    const latest = rotated.body?.refreshToken as string;
    const [successor] = await rows<{ end_s: number }>(
      db,
      'SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), expires_at) AS end_s FROM refresh_tokens WHERE id = ?',
      [latest ? jti(latest) : ''],
    );
    // NY lists it with the expiry Kolkata moved.
    const relisted = await call(ny, 'GET', '/api/auth/sessions', { token: pair.accessToken });
    const relistedOnNy = listedSession(relisted, sid);
    const relistedEndsIn = relistedOnNy ? secondsUntil(relistedOnNy.expiresAt) : NaN;

    // 7 s without a refresh: NY finds Kolkata's token expired, and no longer lists the session.
    await sleep(7_000 - (Date.now() - rotatedAt));
    const expired = await refresh(ny, latest);
    const afterwards = await call(ny, 'GET', '/api/auth/sessions', { token: pair.accessToken });

    report('timezone', {
      zones: { ny: NEW_YORK, kolkata: KOLKATA, database: 'UTC' },
      sessionEndInS: Number(session.end_s),
      sessionRefreshEndInS: Number(session.refresh_s),
      tokenEndInS: Number(token.end_s),
      tokenCreatedInS: Number(token.created_s),
      sessionEndViaJsS: Math.round(sessionEndViaJs),
      listedOnKolkata: listedOnKolkata?.expiresAt ?? null,
      listedEndsInS: Math.round(listedEndsIn * 10) / 10,
      relistedOnNyEndsInS: Math.round(relistedEndsIn * 10) / 10,
      successorEndInS: successor ? Number(successor.end_s) : null,
      refreshOnKolkataAt1s: rotated.status,
      afterSevenSecondsOnNy: `${expired.status} ${expired.body?.code}`,
    });

    // sessions.expires_at = login + 1 h, refresh_expires_at = login + 6 s, in UTC.
    expect(Number(session.end_s)).toBeGreaterThanOrEqual(3_600 - 5);
    expect(Number(session.end_s)).toBeLessThanOrEqual(3_600);
    expect(Number(session.refresh_s)).toBeGreaterThanOrEqual(6 - 5);
    expect(Number(session.refresh_s)).toBeLessThanOrEqual(6);
    expect(Number(session.created_s)).toBeGreaterThanOrEqual(-5);
    expect(Number(session.created_s)).toBeLessThanOrEqual(0);
    // refresh_tokens.expires_at = issue + 6 s, in UTC; and it is the token's own `exp`.
    expect(Number(token.end_s)).toBeGreaterThanOrEqual(6 - 5);
    expect(Number(token.end_s)).toBeLessThanOrEqual(6);
    expect(Number(token.created_s)).toBeGreaterThanOrEqual(-5);
    expect(Number(token.created_s)).toBeLessThanOrEqual(0);
    expect(
      Math.abs((claims(pair.refreshToken).exp as number) * 1000 - token.expires_at.getTime()),
    ).toBeLessThan(1_000);
    expect(sessionEndViaJs).toBeGreaterThan(3_600 - 5);
    expect(sessionEndViaJs).toBeLessThanOrEqual(3_600 + 1);

    expect(listed.status).toBe(200);
    expect(listedOnKolkata?.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(listedEndsIn).toBeGreaterThan(6 - 5);
    expect(listedEndsIn).toBeLessThanOrEqual(6 + 1);

    expect(rotated.status).toBe(200);
    expect(Number(successor?.end_s)).toBeGreaterThanOrEqual(6 - 5);
    expect(Number(successor?.end_s)).toBeLessThanOrEqual(6);
    expect(relisted.status).toBe(200);
    expect(Math.abs(relistedEndsIn - 6)).toBeLessThan(2);

    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('refresh_token_expired');
    expect(afterwards.status).toBe(200);
    expect(listedSession(afterwards, sid)).toBeUndefined();
  });

  it('the absolute end set in New York ends the session in Kolkata on time', async () => {
    const { pair, early, late, loginAt } = await absoluteEnd;
    const [session] = await rows<{ end_s: number }>(
      db,
      `SELECT TIMESTAMPDIFF(MICROSECOND, ?, expires_at) / 1000000 AS end_s
         FROM sessions WHERE id = ?`,
      [new Date(loginAt), claims(pair.accessToken).sid],
    );
    const label = (r: Reply) => `${r.status}${r.body?.code ? ` ${r.body.code}` : ''}`;

    report('timezone-absolute-end', {
      sessionEndAfterLoginS: Number(session.end_s),
      accessTokenExpiresInS: Math.round(
        (claims(pair.accessToken).exp as number) - Date.now() / 1000,
      ),
      at1s: early.map(label),
      at9s: late.map(label),
    });

    // expires_at = login + 8 s (measured by the database against the login instant).
    expect(Number(session.end_s)).toBeGreaterThan(8 - 2);
    expect(Number(session.end_s)).toBeLessThan(8 + 2);
    // The access token itself is good for an hour: only the session's end can refuse it.
    expect(claims(pair.accessToken).exp as number).toBeGreaterThan(Date.now() / 1000 + 3_000);
    expect(early.map(label)).toEqual(['200', '200']);
    expect(late.map(label)).toEqual(['401 token_revoked', '401 token_revoked']);
  });
});
