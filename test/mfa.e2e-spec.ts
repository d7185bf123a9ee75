import { createHash } from 'node:crypto';
import { authenticator } from 'otplib';
import { MfaRecoveryCode, UserMfa } from '../src/auth/mfa/mfa.entities';
import {
  bearer,
  decodeJwt,
  DEFAULT_PASSWORD,
  loginAdmin,
  registerUser,
  TokenPairBody,
} from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { LogCapture } from './utils/log-capture';

const STEP = 30;

/** TOTP second factor: enrolment, login's second step, step-up, recovery codes, admin reset. */
describe('MFA (TOTP)', () => {
  const logs = new LogCapture();
  let t: TestApp;
  /** Every response body of the file, to look for secrets in. */
  const bodies: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ MFA_RATE_LIMIT: '10/15m', METRICS_PUBLIC: 'true' }, { logs });
  });

  afterAll(async () => {
    await t?.close();
  });

  const epoch = () => Math.floor(t.clock.now().getTime() / 1000);
  /** The code of the current step of the app's clock, `steps` away. */
  const codeAt = (secret: string, steps = 0) =>
    authenticator.clone({ epoch: (epoch() + steps * STEP) * 1000 }).generate(secret);
  /** Moves the app's clock to the start of a fresh step (no code of it used yet). */
  const nextStep = () => t.clock.advance(STEP - (epoch() % STEP));

  const post = async (path: string, body: object, token?: string) => {
    const req = t.http().post(path).send(body);
    const res = await (token ? req.set(bearer(token)) : req);
    bodies.push(res.text);
    return res;
  };
  const login = (email: string, password = DEFAULT_PASSWORD) =>
    post('/api/auth/login', { email, password });
  const verify = (mfaToken: string, proof: object) =>
    post('/api/auth/mfa/verify', { mfaToken, ...proof });

  /** A registered user with TOTP active: its secret, recovery codes and enrolling session. */
  async function enrolled() {
    const user = await registerUser(t.http);
    const setup = await post('/api/auth/mfa/totp/setup', {}, user.pair.accessToken);
    expect(setup.status).toBe(200);
    const { secret } = setup.body as { secret: string };
    const confirm = await post(
      '/api/auth/mfa/totp/confirm',
      { code: codeAt(secret) },
      user.pair.accessToken,
    );
    expect(confirm.status).toBe(200);
    nextStep();
    return { ...user, secret, recoveryCodes: confirm.body.recoveryCodes as string[] };
  }

  /** Logs in with the password: the mfa token of the challenge. */
  async function challenge(email: string): Promise<string> {
    const res = await login(email);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      mfaRequired: true,
      mfaToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      mfaTokenExpiresIn: 300,
      methods: ['totp', 'recovery_code'],
    });
    return res.body.mfaToken as string;
  }

  it('enrols (secret as otpauth URI and QR PNG), then login asks for a code and verify issues the pair', async () => {
    const user = await registerUser(t.http);
    const setup = await post('/api/auth/mfa/totp/setup', {}, user.pair.accessToken);
    expect(setup.status).toBe(200);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.body.otpauthUrl).toMatch(
      new RegExp(
        `^otpauth://totp/Auth%20Service:${encodeURIComponent(user.email)}\\?secret=${setup.body.secret}`,
      ),
    );
    expect(setup.body.qrCodeDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    // Not active yet: login still answers a pair.
    expect((await login(user.email)).body.accessToken).toEqual(expect.any(String));

    const confirm = await post(
      '/api/auth/mfa/totp/confirm',
      { code: codeAt(setup.body.secret) },
      user.pair.accessToken,
    );
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    for (const code of confirm.body.recoveryCodes)
      expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    nextStep();

    const res = await login(user.email);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.accessToken).toBeUndefined();
    const mfaToken = res.body.mfaToken as string;
    const pair = await verify(mfaToken, { code: codeAt(setup.body.secret) });
    expect(pair.status).toBe(200);
    expect(pair.headers['set-cookie']?.[0]).toMatch(/^refresh_token=/);
    const claims = decodeJwt(pair.body.accessToken);
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.auth_time).toBe(epoch());
    const me = await t.http().get('/api/users/me').set(bearer(pair.body.accessToken));
    expect(me.status).toBe(200);
    // Refresh keeps how and when the session was proven.
    t.clock.advance(60);
    const refreshed = await post('/api/auth/refresh', { refreshToken: pair.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.accessToken)).toMatchObject({
      amr: ['pwd', 'otp'],
      auth_time: claims.auth_time,
    });
    // The token is single-use.
    const again = await verify(mfaToken, { code: codeAt(setup.body.secret, 1) });
    expect([again.status, again.body.code]).toEqual([401, 'mfa_token_invalid']);
    // A password login's tokens say so.
    const plain = await registerUser(t.http);
    expect(decodeJwt(plain.pair.accessToken).amr).toEqual(['pwd']);
  });

  it('accepts a code one step off either way, refuses two steps off', async () => {
    const { email, secret } = await enrolled();
    for (const [steps, status] of [
      [-2, 401],
      [-1, 200],
      [2, 401],
      [1, 200],
    ] as const) {
      nextStep();
      const res = await verify(await challenge(email), { code: codeAt(secret, steps) });
      expect({ steps, status: res.status }).toEqual({ steps, status });
      if (status === 401) expect(res.body.code).toBe('mfa_code_invalid');
    }
  });

  it('a code works once: the same code again, even inside its window, is refused', async () => {
    const { email, secret } = await enrolled();
    const code = codeAt(secret);
    expect((await verify(await challenge(email), { code })).status).toBe(200);
    const replay = await verify(await challenge(email), { code });
    expect([replay.status, replay.body.code]).toEqual([401, 'mfa_code_invalid']);
    // Concurrent presentations of one fresh code with two tokens: exactly one pair.
    nextStep();
    const [a, b] = [await challenge(email), await challenge(email)];
    const fresh = codeAt(secret);
    const answers = await Promise.all([verify(a, { code: fresh }), verify(b, { code: fresh })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('5 wrong codes void the mfa token; the user-wide budget survives fresh logins (429)', async () => {
    const { email, secret } = await enrolled();
    const first = await challenge(email);
    const wrong = (code: string) => (code === '000000' ? '111111' : '000000');
    for (let i = 0; i < 5; i++) {
      const res = await verify(first, { code: wrong(codeAt(secret)) });
      expect([res.status, res.body.code]).toEqual([401, 'mfa_code_invalid']);
    }
    const sixth = await verify(first, { code: codeAt(secret) });
    expect([sixth.status, sixth.body.code]).toEqual([401, 'mfa_token_invalid']);
    // A new login: a new token, but the same budget (10 per 15 min): 5 more, then 429.
    const second = await challenge(email);
    for (let i = 0; i < 5; i++) {
      expect((await verify(second, { code: wrong(codeAt(secret)) })).body.code).toBe(
        'mfa_code_invalid',
      );
    }
    const third = await challenge(email);
    const limited = await verify(third, { code: codeAt(secret) });
    expect([limited.status, limited.body.code]).toEqual([429, 'too_many_requests']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // After the window the right code works again.
    t.clock.advance(15 * 60 + 1);
    expect((await verify(await challenge(email), { code: codeAt(secret) })).status).toBe(200);
    expect(logs.events('auth.mfa.failed').length).toBeGreaterThanOrEqual(10);
  });

  it('recovery codes work once each, in any case or spacing, and are stored hashed', async () => {
    const { email, pair, recoveryCodes } = await enrolled();
    const [first, second] = recoveryCodes;
    const ok = await verify(await challenge(email), { recoveryCode: first });
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.accessToken).amr).toEqual(['pwd', 'otp']);
    const reused = await verify(await challenge(email), { recoveryCode: first });
    expect([reused.status, reused.body.code]).toEqual([401, 'mfa_code_invalid']);
    const spelled = ` ${second.toUpperCase().replace(/-/g, ' ')} `;
    expect((await verify(await challenge(email), { recoveryCode: spelled })).status).toBe(200);

    const rows = await t.dataSource.getRepository(MfaRecoveryCode).findBy({ userId: pair.user.id });
    expect(rows).toHaveLength(10);
    const hashes = rows.map((r) => r.codeHash).sort();
    const expected = recoveryCodes
      .map((c) => createHash('sha256').update(c.replace(/-/g, '')).digest('hex'))
      .sort();
    expect(hashes).toEqual(expected);
    expect(rows.filter((r) => r.usedAt !== null)).toHaveLength(2);
    const dump = JSON.stringify(await t.dataSource.query('SELECT * FROM mfa_recovery_codes'));
    for (const code of recoveryCodes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ''));
    }
    expect(logs.events('auth.mfa.recovery_code_used').map((e) => e.userId)).toContain(pair.user.id);
  });

  it('step-up: mfa routes refuse a password-only session until reauthenticate; maxAge expires', async () => {
    const user = await registerUser(t.http);
    // A second session from before the enrolment: proven with a password only.
    const older = (await login(user.email)).body as TokenPairBody;
    const setup = await post('/api/auth/mfa/totp/setup', {}, user.pair.accessToken);
    const secret = setup.body.secret as string;
    await post('/api/auth/mfa/totp/confirm', { code: codeAt(secret) }, user.pair.accessToken);
    nextStep();

    const change = (token: string, newPassword: string) =>
      post('/api/auth/change-password', { currentPassword: DEFAULT_PASSWORD, newPassword }, token);
    const refused = await change(older.accessToken, 'another horse battery');
    expect([refused.status, refused.body.code]).toEqual([401, 'mfa_required']);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm="api"/);

    // Reauthenticate needs the code for an enrolled user; wrong password or code refused.
    const noCode = await post(
      '/api/auth/reauthenticate',
      { password: DEFAULT_PASSWORD },
      older.accessToken,
    );
    expect([noCode.status, noCode.body.code]).toEqual([401, 'mfa_code_invalid']);
    const badPassword = await post(
      '/api/auth/reauthenticate',
      { password: 'wrong horse battery', code: codeAt(secret) },
      older.accessToken,
    );
    expect([badPassword.status, badPassword.body.code]).toEqual([403, 'invalid_current_password']);
    const reauth = await post(
      '/api/auth/reauthenticate',
      { password: DEFAULT_PASSWORD, code: codeAt(secret) },
      older.accessToken,
    );
    expect(reauth.status).toBe(204);

    // MFA removal: mfa and maxAge 5m. Six minutes later the session is too old.
    nextStep();
    t.clock.advance(6 * 60);
    const remove = (token: string) =>
      t
        .http()
        .delete('/api/auth/mfa/totp')
        .set(bearer(token))
        .send({ password: DEFAULT_PASSWORD, code: codeAt(secret) });
    const stale = await remove(older.accessToken);
    expect([stale.status, stale.body.code]).toEqual([401, 'reauthentication_required']);
    expect(
      (
        await post(
          '/api/auth/reauthenticate',
          { password: DEFAULT_PASSWORD, code: codeAt(secret) },
          older.accessToken,
        )
      ).status,
    ).toBe(204);
    nextStep();
    expect((await remove(older.accessToken)).status).toBe(204);
    // Gone: a password login answers a pair again, and change-password works.
    const plain = await login(user.email);
    expect(plain.body.accessToken).toEqual(expect.any(String));
    expect((await change(plain.body.accessToken, 'another horse battery')).status).toBe(200);
  });

  it('admin routes of an enrolled admin need an MFA session; an admin can reset a user’s factor', async () => {
    const admin = await loginAdmin(t.http);
    const { email, pair } = await enrolled();
    const reset = await t
      .http()
      .delete(`/api/admin/users/${pair.user.id}/mfa`)
      .set(bearer(admin.accessToken));
    expect(reset.status).toBe(204);
    expect((await login(email)).body.accessToken).toEqual(expect.any(String));
    expect(await t.dataSource.getRepository(UserMfa).countBy({ userId: pair.user.id })).toBe(0);
    expect(logs.events('admin.user.mfa_reset').map((e) => e.userId)).toContain(pair.user.id);
    const byUser = await t
      .http()
      .delete(`/api/admin/users/${admin.user.id}/mfa`)
      .set(bearer(pair.accessToken));
    expect([byUser.status, byUser.body.code]).toEqual([403, 'forbidden']);

    // The admin enrols: its password-only session loses the admin routes until it steps up.
    const setup = await post('/api/auth/mfa/totp/setup', {}, admin.accessToken);
    const older = await loginAdmin(t.http);
    await post(
      '/api/auth/mfa/totp/confirm',
      { code: codeAt(setup.body.secret) },
      admin.accessToken,
    );
    nextStep();
    const list = (token: string) => t.http().get('/api/admin/users').set(bearer(token));
    expect((await list(admin.accessToken)).status).toBe(200);
    const refused = await list(older.accessToken);
    expect([refused.status, refused.body.code]).toEqual([401, 'mfa_required']);
  });

  it('refuses bad input with 400 and states it: codes, tokens, both or neither proof', async () => {
    const user = await registerUser(t.http);
    const setup = (token = user.pair.accessToken) => post('/api/auth/mfa/totp/setup', {}, token);
    const noSetup = await post(
      '/api/auth/mfa/totp/confirm',
      { code: '123456' },
      user.pair.accessToken,
    );
    expect([noSetup.status, noSetup.body.code]).toEqual([409, 'mfa_not_enabled']);
    const { secret } = (await setup()).body as { secret: string };
    for (const code of ['12345', '1234567', 'abcdef', 123456, null]) {
      const res = await post('/api/auth/mfa/totp/confirm', { code }, user.pair.accessToken);
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    }
    const wrong = await post(
      '/api/auth/mfa/totp/confirm',
      { code: codeAt(secret) === '000000' ? '111111' : '000000' },
      user.pair.accessToken,
    );
    expect([wrong.status, wrong.body.code]).toEqual([401, 'mfa_code_invalid']);
    await post('/api/auth/mfa/totp/confirm', { code: codeAt(secret) }, user.pair.accessToken);
    const twice = await setup();
    expect([twice.status, twice.body.code]).toEqual([409, 'mfa_already_enabled']);
    nextStep();
    const token = await challenge(user.email);
    for (const body of [
      { mfaToken: token },
      { mfaToken: token, code: codeAt(secret), recoveryCode: 'abcd-efgh-ijkm-nopq' },
      { mfaToken: 42, code: codeAt(secret) },
      { mfaToken: 'x'.repeat(101), code: codeAt(secret) },
      { mfaToken: token, recoveryCode: 'x'.repeat(41) },
    ]) {
      const res = await post('/api/auth/mfa/verify', body);
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    }
    const forged = await verify('A'.repeat(43), { code: codeAt(secret) });
    expect([forged.status, forged.body.code]).toEqual([401, 'mfa_token_invalid']);
    // The token survived the bad requests: the right code still works.
    expect((await verify(token, { code: codeAt(secret) })).status).toBe(200);
    // An mfa token lives 5 minutes.
    nextStep();
    const expiring = await challenge(user.email);
    t.clock.advance(301);
    const late = await verify(expiring, { code: codeAt(secret) });
    expect([late.status, late.body.code]).toEqual([401, 'mfa_token_invalid']);
  });

  it('counts enrolments, removals, resets, recovery codes and failed codes in /metrics', async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    const count = (event: string) => {
      const match = new RegExp(`^auth_mfa_events_total\\{event="${event}"\\} (\\d+)$`, 'm').exec(
        text,
      );
      if (!match) throw new Error(`no auth_mfa_events_total for ${event}`);
      return Number(match[1]);
    };
    // What the tests above did (they run in order, in this one app).
    expect(count('enrolled')).toBeGreaterThanOrEqual(8);
    expect(count('removed')).toBe(1);
    expect(count('reset')).toBe(1);
    expect(count('recovery_code_used')).toBe(2);
    expect(count('failed')).toBeGreaterThanOrEqual(10);
    expect(count('failed')).toBe(logs.events('auth.mfa.failed').length);
  });

  it('never shows the secret after setup: not in any answer, log line or the database in clear', async () => {
    const user = await registerUser(t.http);
    const setup = await post('/api/auth/mfa/totp/setup', {}, user.pair.accessToken);
    const secret = setup.body.secret as string;
    bodies.length = 0;
    await post('/api/auth/mfa/totp/confirm', { code: '000001' }, user.pair.accessToken);
    await post('/api/auth/mfa/totp/confirm', { code: codeAt(secret) }, user.pair.accessToken);
    nextStep();
    await verify(await challenge(user.email), { code: codeAt(secret) });
    await post('/api/auth/mfa/totp/setup', {}, user.pair.accessToken);
    bodies.push((await t.http().get('/api/users/me').set(bearer(user.pair.accessToken))).text);
    expect(bodies.length).toBeGreaterThan(4);
    for (const body of bodies) expect(body).not.toContain(secret);
    expect(logs.text()).not.toContain(secret);
    const [row] = await t.dataSource.getRepository(UserMfa).findBy({ userId: user.pair.user.id });
    expect(row.secretSealed).toMatch(/^v1\./);
    expect(JSON.stringify(await t.dataSource.query('SELECT * FROM user_mfa'))).not.toContain(
      secret,
    );
  });
});
