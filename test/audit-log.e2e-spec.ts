import { createHash } from 'node:crypto';
import { User } from '../src/users/entities/user.entity';
import { UsersService } from '../src/users/users.service';
import {
  bearer,
  decodeJwt,
  DEFAULT_PASSWORD,
  login,
  loginAdmin,
  registerUser,
  TokenPairBody,
  uniqueEmail,
} from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { LogCapture } from './utils/log-capture';
import { BASE_TEST_ENV } from './utils/test-env';

const UA = 'audit-test/1.0';
const CLIENT = { ip: expect.stringMatching(/127\.0\.0\.1$|^::1$/), userAgent: UA };
const WRONG_PASSWORD = 'wrong-password-0f9e8d';
const NEW_PASSWORD = 'new-passphrase-7c6b5a';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The audit log (ASVS 5.0 V16): one pino JSON line per security event, `context: "Audit"`, a
 * fixed `event` field, who/what/where — and never a token, password or hash.
 */
describe('audit log (e2e)', () => {
  const logs = new LogCapture();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({}, { logs });
  });
  afterAll(() => t.close());

  const post = (path: string) => t.http().post(path).set('User-Agent', UA);
  const sid = (pair: TokenPairBody) => decodeJwt(pair.accessToken).sid as string;
  const refresh = (refreshToken: string) => post('/api/auth/refresh').send({ refreshToken });

  /** The audit lines `action` wrote, parsed. */
  async function eventsOf(action: () => Promise<unknown>): Promise<Record<string, any>[]> {
    const before = logs.lines.length;
    await action();
    return logs.lines
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, any>)
      .filter((entry) => entry.context === 'Audit');
  }

  /**
   * The one audit line an action wrote: exactly these fields (plus the request's id), at `info`
   * unless told.
   */
  async function expectEvent(
    action: () => Promise<unknown>,
    event: string,
    fields: Record<string, unknown>,
    level = 30,
  ) {
    const events = await eventsOf(action);
    expect(events).toEqual([
      {
        level,
        time: expect.any(Number),
        context: 'Audit',
        msg: event,
        event,
        requestId: expect.stringMatching(UUID),
        ...fields,
      },
    ]);
  }

  async function user(password = DEFAULT_PASSWORD) {
    const registered = await registerUser(t.http, { password });
    return { ...registered, id: registered.pair.user.id };
  }

  it('writes each event as one JSON line on the app logger', async () => {
    await user();
    const lines = logs.lines.filter((line) => line.includes('"context":"Audit"'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.trimEnd()).not.toContain('\n');
      expect(JSON.parse(line)).toHaveProperty('event');
    }
  });

  it('auth.register: user, session, client', async () => {
    const email = uniqueEmail();
    let pair!: TokenPairBody;
    await expectEvent(
      async () => {
        const res = await post('/api/auth/register')
          .send({ email, password: DEFAULT_PASSWORD })
          .expect(201);
        pair = res.body as TokenPairBody;
      },
      'auth.register',
      { userId: expect.any(String), sessionId: expect.any(String), ...CLIENT },
    );
    const [entry] = logs.events('auth.register').slice(-1);
    expect(entry).toMatchObject({ userId: pair.user.id, sessionId: sid(pair) });
  });

  it('auth.login.succeeded: user, session, client', async () => {
    const { email, id } = await user();
    let pair!: TokenPairBody;
    await expectEvent(
      async () => {
        pair = (await post('/api/auth/login').send({ email, password: DEFAULT_PASSWORD }))
          .body as TokenPairBody;
      },
      'auth.login.succeeded',
      { userId: id, sessionId: expect.any(String), ...CLIENT },
    );
    expect(logs.events('auth.login.succeeded').at(-1)?.sessionId).toBe(sid(pair));
  });

  describe('auth.login.failed: reason and the attempted email, never the password', () => {
    it('for an unknown email (userId null)', async () => {
      const email = uniqueEmail('ghost');
      await expectEvent(
        () => post('/api/auth/login').send({ email, password: WRONG_PASSWORD }).expect(401),
        'auth.login.failed',
        { reason: 'invalid_credentials', email, userId: null, ...CLIENT },
      );
    });

    it('for a wrong password', async () => {
      const { email, id } = await user();
      await expectEvent(
        () => post('/api/auth/login').send({ email, password: WRONG_PASSWORD }).expect(401),
        'auth.login.failed',
        { reason: 'invalid_credentials', email, userId: id, ...CLIENT },
      );
    });

    it('for a disabled account: user_disabled with the right password only', async () => {
      const { email, id } = await user();
      const admin = await loginAdmin(t.http);
      await t
        .http()
        .patch(`/api/admin/users/${id}`)
        .set(bearer(admin.accessToken))
        .send({ disabled: true })
        .expect(200);
      await expectEvent(
        () => post('/api/auth/login').send({ email, password: DEFAULT_PASSWORD }).expect(401),
        'auth.login.failed',
        { reason: 'user_disabled', email, userId: id, ...CLIENT },
      );
      await expectEvent(
        () => post('/api/auth/login').send({ email, password: WRONG_PASSWORD }).expect(401),
        'auth.login.failed',
        { reason: 'invalid_credentials', email, userId: id, ...CLIENT },
      );
    });

    it('not for a body that fails validation (a password typed into the email field)', async () => {
      const events = await eventsOf(() =>
        post('/api/auth/login').send({ email: WRONG_PASSWORD, password: 'x' }).expect(400),
      );
      expect(events).toEqual([]);
    });
  });

  it('auth.refresh: session and client; `grace` for the parent replayed inside the grace', async () => {
    const { id, pair } = await user();
    const expected = { userId: id, sessionId: sid(pair), ...CLIENT };
    await expectEvent(() => refresh(pair.refreshToken).expect(200), 'auth.refresh', {
      ...expected,
      grace: false,
    });
    await expectEvent(() => refresh(pair.refreshToken).expect(200), 'auth.refresh', {
      ...expected,
      grace: true,
    });
  });

  it('auth.refresh.reuse_detected (warn): session, user, token id, client', async () => {
    const { id, pair } = await user();
    await refresh(pair.refreshToken).expect(200);
    t.clock.advance(11);
    await expectEvent(
      () => refresh(pair.refreshToken).expect(401),
      'auth.refresh.reuse_detected',
      {
        userId: id,
        sessionId: sid(pair),
        tokenId: decodeJwt(pair.refreshToken).jti,
        spentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        ...CLIENT,
      },
      40,
    );
  });

  it('auth.logout: session and whether it was still active', async () => {
    const { id, pair } = await user();
    const expected = { userId: id, sessionId: sid(pair), ...CLIENT };
    const logout = () =>
      post('/api/auth/logout').send({ refreshToken: pair.refreshToken }).expect(204);
    await expectEvent(logout, 'auth.logout', { ...expected, ended: true });
    await expectEvent(logout, 'auth.logout', { ...expected, ended: false });
  });

  it('auth.logout_all: user and the calling session', async () => {
    const { id, pair } = await user();
    await expectEvent(
      () => post('/api/auth/logout-all').set(bearer(pair.accessToken)).expect(204),
      'auth.logout_all',
      { userId: id, sessionId: sid(pair), ...CLIENT },
    );
  });

  it('auth.session.deleted: the session ended and the one that asked', async () => {
    const { email, id, pair } = await user();
    const other = await login(t.http, email, DEFAULT_PASSWORD);
    await expectEvent(
      () =>
        t
          .http()
          .delete(`/api/auth/sessions/${sid(other)}`)
          .set('User-Agent', UA)
          .set(bearer(pair.accessToken))
          .expect(204),
      'auth.session.deleted',
      { userId: id, sessionId: sid(other), callerSessionId: sid(pair), ...CLIENT },
    );
  });

  it('auth.password.changed (the new session) and auth.password.change_failed', async () => {
    const { id, pair } = await user();
    const change = (currentPassword: string) =>
      post('/api/auth/change-password')
        .set(bearer(pair.accessToken))
        .send({ currentPassword, newPassword: NEW_PASSWORD });
    await expectEvent(() => change(WRONG_PASSWORD).expect(403), 'auth.password.change_failed', {
      userId: id,
      sessionId: sid(pair),
      reason: 'invalid_current_password',
      ...CLIENT,
    });
    let next!: TokenPairBody;
    await expectEvent(
      async () => {
        next = (await change(DEFAULT_PASSWORD).expect(200)).body as TokenPairBody;
      },
      'auth.password.changed',
      { userId: id, sessionId: expect.any(String), ...CLIENT },
    );
    expect(logs.events('auth.password.changed').at(-1)?.sessionId).toBe(sid(next));
  });

  describe('admin actions name the admin (actorId) and the user', () => {
    let admin: TokenPairBody;
    beforeAll(async () => {
      admin = await loginAdmin(t.http);
    });
    const patch = (id: string, body: object) =>
      t
        .http()
        .patch(`/api/admin/users/${id}`)
        .set('User-Agent', UA)
        .set(bearer(admin.accessToken))
        .send(body)
        .expect(200);

    it('admin.user.roles_changed, with the roles before and after; nothing when they stay', async () => {
      const { id } = await user();
      await expectEvent(() => patch(id, { roles: ['user', 'admin'] }), 'admin.user.roles_changed', {
        actorId: admin.user.id,
        userId: id,
        previousRoles: ['user'],
        roles: ['user', 'admin'],
        ...CLIENT,
      });
      expect(await eventsOf(() => patch(id, { roles: ['admin', 'user'] }))).toEqual([]);
    });

    it('admin.user.disabled and admin.user.enabled', async () => {
      const { id } = await user();
      const who = { actorId: admin.user.id, userId: id, ...CLIENT };
      await expectEvent(() => patch(id, { disabled: true }), 'admin.user.disabled', who);
      await expectEvent(() => patch(id, { disabled: false }), 'admin.user.enabled', who);
    });

    it('admin.user.sessions_revoked', async () => {
      const { id } = await user();
      await expectEvent(
        () =>
          t
            .http()
            .delete(`/api/admin/users/${id}/sessions`)
            .set('User-Agent', UA)
            .set(bearer(admin.accessToken))
            .expect(204),
        'admin.user.sessions_revoked',
        { actorId: admin.user.id, userId: id, ...CLIENT },
      );
    });
  });

  it('never logs a token, a password, a bcrypt hash or a JWT, error logs included, over a whole flow', async () => {
    logs.clear();
    const secrets = new Map<string, string>();
    const keep = (label: string, value: string) => secrets.set(value, label);
    const keepPair = (label: string, pair: TokenPairBody) => {
      keep(`${label} access token`, pair.accessToken);
      keep(`${label} refresh token`, pair.refreshToken);
      // Its SHA-256 is what the database keeps: as good as the token for a lookup.
      keep(
        `${label} refresh token hash`,
        createHash('sha256').update(pair.refreshToken).digest('hex'),
      );
    };
    const keepHash = async (label: string, id: string) =>
      keep(label, (await t.dataSource.getRepository(User).findOneByOrFail({ id })).passwordHash);
    const password = 'flow-password-3a2b1c';
    for (const [label, value] of [
      ['password', password],
      ['new password', NEW_PASSWORD],
      ['wrong password', WRONG_PASSWORD],
      ['admin password', BASE_TEST_ENV.ADMIN_PASSWORD],
    ]) {
      keep(label, value);
    }

    const email = uniqueEmail('flow');
    const registered = (await post('/api/auth/register').send({ email, password }).expect(201))
      .body as TokenPairBody;
    const id = registered.user.id;
    keepPair('register', registered);
    await keepHash('password hash', id);

    const first = (await post('/api/auth/login').send({ email, password }).expect(200))
      .body as TokenPairBody;
    keepPair('login', first);
    await post('/api/auth/login').send({ email, password: WRONG_PASSWORD }).expect(401);
    await post('/api/auth/login')
      .send({ email: uniqueEmail('ghost'), password })
      .expect(401);

    const second = (await refresh(first.refreshToken).expect(200)).body as TokenPairBody;
    keepPair('refresh', second);
    keepPair('grace', (await refresh(first.refreshToken).expect(200)).body as TokenPairBody);
    t.clock.advance(11);
    await refresh(first.refreshToken).expect(401); // reuse: the session is revoked
    await post('/api/auth/refresh')
      .set('Cookie', `refresh_token=${second.refreshToken}`)
      .expect(401);

    const a = (await post('/api/auth/login').send({ email, password }).expect(200))
      .body as TokenPairBody;
    const b = (await post('/api/auth/login').send({ email, password }).expect(200))
      .body as TokenPairBody;
    keepPair('session a', a);
    keepPair('session b', b);
    await t
      .http()
      .delete(`/api/auth/sessions/${sid(b)}`)
      .set(bearer(a.accessToken))
      .expect(204);
    await post('/api/auth/logout').send({ refreshToken: b.refreshToken }).expect(204);
    await post('/api/auth/logout').set('Cookie', `refresh_token=${a.refreshToken}`).expect(204);

    const c = (await post('/api/auth/login').send({ email, password }).expect(200))
      .body as TokenPairBody;
    keepPair('session c', c);
    await post('/api/auth/change-password')
      .set(bearer(c.accessToken))
      .send({ currentPassword: WRONG_PASSWORD, newPassword: NEW_PASSWORD })
      .expect(403);
    const changed = (
      await post('/api/auth/change-password')
        .set(bearer(c.accessToken))
        .send({ currentPassword: password, newPassword: NEW_PASSWORD })
        .expect(200)
    ).body as TokenPairBody;
    keepPair('changed', changed);
    await keepHash('new password hash', id);
    await post('/api/auth/logout-all').set(bearer(changed.accessToken)).expect(204);

    const admin = (
      await post('/api/auth/login')
        .send({ email: BASE_TEST_ENV.ADMIN_EMAIL, password: BASE_TEST_ENV.ADMIN_PASSWORD })
        .expect(200)
    ).body as TokenPairBody;
    keepPair('admin', admin);
    const adminCall = (method: 'patch' | 'delete', path: string) =>
      t.http()[method](path).set('User-Agent', UA).set(bearer(admin.accessToken));
    await adminCall('patch', `/api/admin/users/${id}`)
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    await adminCall('patch', `/api/admin/users/${id}`).send({ disabled: true }).expect(200);
    await post('/api/auth/login').send({ email, password: NEW_PASSWORD }).expect(401);
    await post('/api/auth/login').send({ email, password: WRONG_PASSWORD }).expect(401);
    await adminCall('patch', `/api/admin/users/${id}`).send({ disabled: false }).expect(200);
    await adminCall('delete', `/api/admin/users/${id}/sessions`).expect(204);

    // An unexpected failure mid-request: its error log must not dump the request either.
    const last = (await post('/api/auth/login').send({ email, password: NEW_PASSWORD }).expect(200))
      .body as TokenPairBody;
    keepPair('last', last);
    const findOne = jest
      .spyOn(t.app.get(UsersService), 'findOne')
      .mockRejectedValueOnce(new Error('simulated failure'));
    try {
      await post('/api/auth/change-password')
        .set(bearer(last.accessToken))
        .set('Cookie', `refresh_token=${last.refreshToken}`)
        .send({ currentPassword: NEW_PASSWORD, newPassword: password })
        .expect(500);
    } finally {
      findOne.mockRestore();
    }

    const text = logs.text();
    const levels = new Set(logs.entries().map((entry) => entry.level as number));
    // info, warn (reuse) and error lines were all captured, and scanned below
    for (const level of [30, 40, 50]) expect(levels).toContain(level);
    const events = new Set(logs.events().map((entry) => entry.event as string));
    expect([...events].sort()).toEqual(
      [
        'admin.user.disabled',
        'admin.user.enabled',
        'admin.user.roles_changed',
        'admin.user.sessions_revoked',
        'auth.login.failed',
        'auth.login.succeeded',
        'auth.logout',
        'auth.logout_all',
        'auth.password.change_failed',
        'auth.password.changed',
        'auth.refresh',
        'auth.refresh.reuse_detected',
        'auth.register',
        'auth.session.deleted',
      ].sort(),
    );
    expect(text).toContain('simulated failure');

    const leaks = [...secrets].filter(([value]) => text.includes(value)).map(([, label]) => label);
    expect(leaks).toEqual([]);
    expect(text.match(/\$2[abxy]\$\d\d\$[./A-Za-z0-9]{10,}/g)).toBeNull(); // bcrypt hashes
    expect(text.match(/eyJ[A-Za-z0-9_-]{5,}/g)).toBeNull(); // JWT-looking strings
  });
});
