import { createHash, randomBytes } from 'node:crypto';
import { ParsedMail } from 'mailparser';
import { EmailVerificationToken } from '../src/auth/entities/email-verification-token.entity';
import { OutboxMail } from '../src/mail/outbox-mail.entity';
import { bearer, loginAdmin, registerUser, TokenPairBody, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { LogCapture } from './utils/log-capture';
import { TestSmtp } from './utils/smtp';

const SUBJECT = 'Confirm your email address';

/** The token of the verification link in a mail's text. */
function tokenIn(mail: ParsedMail): string {
  const match = /verify-email\?token=([A-Za-z0-9_-]{43})\b/.exec(mail.text ?? '');
  if (!match) throw new Error(`no verification link in ${mail.text}`);
  return match[1];
}

/** The mails `smtp` received for `email`, once there are `count` of them. */
async function mailsTo(smtp: TestSmtp, email: string, count = 1): Promise<ParsedMail[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mails = smtp.mails.filter((m) => m.to && 'text' in m.to && m.to.text === email);
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) throw new Error(`${mails.length} of ${count} mails to ${email}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

const withoutRequestId = ({ requestId, ...body }: Record<string, unknown>) => {
  expect(requestId).toEqual(expect.any(String));
  return body;
};

/** Email verification end to end through a real SMTP server (smtp-server + mailparser). */
describe('email verification', () => {
  const smtp = new TestSmtp({ subject: SUBJECT });
  const logs = new LogCapture();
  let t: TestApp;

  const verify = (token: unknown) => t.http().post('/api/auth/email/verify').send({ token });
  const me = (pair: TokenPairBody) => t.http().get('/api/users/me').set(bearer(pair.accessToken));

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp(
      { SMTP_URL: smtp.url, APP_URL: 'https://app.example.com', MAIL_POLL_INTERVAL: '300s' },
      { logs },
    );
  });

  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('register mails a single-use link; verifying it sets emailVerified in /users/me', async () => {
    const { email, pair } = await registerUser(t.http);
    expect(pair.user).toMatchObject({ emailVerified: false });
    expect((await me(pair).expect(200)).body.emailVerified).toBe(false);
    const [mail] = await mailsTo(smtp, email);
    const token = tokenIn(mail);
    expect(mail.text).toContain(`https://app.example.com/verify-email?token=${token}`);
    expect(mail.html).toContain(`href="https://app.example.com/verify-email?token=${token}"`);

    expect((await verify(token)).status).toBe(204);
    expect((await me(pair).expect(200)).body.emailVerified).toBe(true);
    const again = await verify(token);
    expect([again.status, again.body.code]).toEqual([400, 'verification_token_invalid']);
    expect(logs.events('auth.email_verification.completed').map((e) => e.userId)).toContain(
      pair.user.id,
    );
  });

  it('stores only the SHA-256 of the token, bound to the address it was sent to', async () => {
    const { email, pair } = await registerUser(t.http);
    const token = tokenIn((await mailsTo(smtp, email))[0]);
    const rows = await t.dataSource
      .getRepository(EmailVerificationToken)
      .findBy({ userId: pair.user.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      email,
      tokenHash: createHash('sha256').update(token).digest('hex'),
    });
    const stored = JSON.stringify(
      await t.dataSource.query('SELECT * FROM email_verification_tokens'),
    );
    expect(stored).not.toContain(token);
  });

  it('resend (authenticated) voids the older link and mails a new one; verified, it answers 409', async () => {
    const { email, pair } = await registerUser(t.http);
    const first = tokenIn((await mailsTo(smtp, email))[0]);
    const noToken = await t.http().post('/api/auth/email/resend');
    expect([noToken.status, noToken.body.code]).toEqual([401, 'token_missing']);

    const res = await t.http().post('/api/auth/email/resend').set(bearer(pair.accessToken));
    expect([res.status, res.body]).toEqual([202, { status: 'accepted' }]);
    const second = tokenIn((await mailsTo(smtp, email, 2))[1]);
    expect(second).not.toBe(first);
    expect((await verify(first)).body.code).toBe('verification_token_invalid');
    expect((await verify(second)).status).toBe(204);

    const done = await t.http().post('/api/auth/email/resend').set(bearer(pair.accessToken));
    expect([done.status, done.body.code]).toEqual([409, 'email_already_verified']);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(await mailsTo(smtp, email)).toHaveLength(2);
  });

  it('an expired, a voided, a used and a forged token all answer the same 400', async () => {
    const expiring = await registerUser(t.http);
    const expired = tokenIn((await mailsTo(smtp, expiring.email))[0]);
    const resending = await registerUser(t.http);
    const voided = tokenIn((await mailsTo(smtp, resending.email))[0]);
    await t.http().post('/api/auth/email/resend').set(bearer(resending.pair.accessToken));
    const using = await registerUser(t.http);
    const used = tokenIn((await mailsTo(smtp, using.email))[0]);
    expect((await verify(used)).status).toBe(204);
    t.clock.advance(24 * 3600 + 1);
    try {
      const forged = randomBytes(32).toString('base64url');
      const answers = [];
      for (const token of [expired, voided, used, forged, 'short'])
        answers.push(await verify(token));
      for (const res of answers) {
        expect(res.status).toBe(400);
        expect(withoutRequestId(res.body)).toEqual(withoutRequestId(answers[0].body));
      }
      expect(answers[0].body.code).toBe('verification_token_invalid');
      expect((await me(expiring.pair).expect(200)).body.emailVerified).toBe(false);
    } finally {
      t.clock.advance(-(24 * 3600 + 1));
    }
  });

  it('two concurrent verifications with one link: exactly one 204', async () => {
    for (let round = 0; round < 3; round++) {
      const { email } = await registerUser(t.http);
      const token = tokenIn((await mailsTo(smtp, email))[0]);
      const results = await Promise.all([verify(token), verify(token), verify(token)]);
      expect(results.map((r) => r.status).sort()).toEqual([204, 400, 400]);
    }
  });

  it('refuses bad input with 400: non-string or overlong tokens, CR/LF in names', async () => {
    for (const token of [123, null, ['x'], { $ne: null }, 'x'.repeat(101)]) {
      const res = await verify(token);
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    }
    const missing = await t.http().post('/api/auth/email/verify').send({});
    expect([missing.status, missing.body.code]).toEqual([400, 'validation_failed']);
    const before = smtp.mails.length + smtp.others.length;
    for (const name of ['Ann\r\nBcc: evil@example.com', 'Ann\nSubject: hi', 'Ann\rX: y']) {
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ email: uniqueEmail('inject'), password: 'correct horse battery', name });
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    }
    const { pair } = await registerUser(t.http);
    const patch = await t
      .http()
      .patch('/api/users/me')
      .set(bearer(pair.accessToken))
      .send({ name: 'Ann\r\nX-Evil: 1' });
    expect([patch.status, patch.body.code]).toEqual([400, 'validation_failed']);
    // Only the valid register's mail was sent.
    await new Promise((ok) => setTimeout(ok, 200));
    expect(smtp.mails.length + smtp.others.length).toBe(before + 1);
  });

  it('an admin can mark an address verified (links voided) and unverified, audited', async () => {
    const admin = await loginAdmin(t.http);
    expect(admin.user.emailVerified).toBe(true);
    const { email, pair } = await registerUser(t.http);
    const token = tokenIn((await mailsTo(smtp, email))[0]);
    const patch = (body: object) =>
      t.http().patch(`/api/admin/users/${pair.user.id}`).set(bearer(admin.accessToken)).send(body);
    const marked = await patch({ emailVerified: true });
    expect([marked.status, marked.body.emailVerified]).toEqual([200, true]);
    expect((await me(pair).expect(200)).body.emailVerified).toBe(true);
    expect((await verify(token)).body.code).toBe('verification_token_invalid');
    const unmarked = await patch({ emailVerified: false });
    expect([unmarked.status, unmarked.body.emailVerified]).toEqual([200, false]);
    expect((await patch({ emailVerified: 'yes' })).body.code).toBe('validation_failed');
    const byUser = await t
      .http()
      .patch(`/api/admin/users/${pair.user.id}`)
      .set(bearer(pair.accessToken))
      .send({ emailVerified: true });
    expect([byUser.status, byUser.body.code]).toEqual([403, 'forbidden']);
    const events = logs
      .events()
      .filter((e) => e.userId === pair.user.id && /^admin\.user\.email_/.test(e.event));
    expect(events.map((e) => e.event)).toEqual([
      'admin.user.email_verified',
      'admin.user.email_unverified',
    ]);
  });

  it('queues the mail in the outbox with the register, never waiting for SMTP', async () => {
    const { email } = await registerUser(t.http);
    await mailsTo(smtp, email);
    const rows = await t.dataSource
      .getRepository(OutboxMail)
      .findBy({ recipient: email, kind: 'email_verification' });
    expect(rows.map((r) => r.status)).toEqual(['sent']);
  });
});

describe('REQUIRE_VERIFIED_EMAIL=true', () => {
  const smtp = new TestSmtp({ subject: SUBJECT });
  let t: TestApp;

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp({
      SMTP_URL: smtp.url,
      MAIL_POLL_INTERVAL: '300s',
      REQUIRE_VERIFIED_EMAIL: 'true',
    });
  });

  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  const login = (email: string, password: string) =>
    t.http().post('/api/auth/login').send({ email, password });

  it('register starts no session; login answers 403 email_not_verified only after the password check', async () => {
    const email = uniqueEmail('strict');
    const password = 'correct horse battery';
    const res = await t.http().post('/api/auth/register').send({ email, password });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: expect.objectContaining({ email, emailVerified: false }),
      emailVerificationRequired: true,
    });
    expect(res.headers['set-cookie']).toBeUndefined();

    const wrong = await login(email, 'wrong horse battery');
    expect([wrong.status, wrong.body.code]).toEqual([401, 'invalid_credentials']);
    const unknown = await login(uniqueEmail('nobody'), password);
    expect([unknown.status, unknown.body.code]).toEqual([401, 'invalid_credentials']);
    const unverified = await login(email, password);
    expect([unverified.status, unverified.body.code]).toEqual([403, 'email_not_verified']);
    expect(unverified.body.accessToken).toBeUndefined();

    const [mail] = await mailsTo(smtp, email);
    expect(
      (
        await t
          .http()
          .post('/api/auth/email/verify')
          .send({ token: tokenIn(mail) })
      ).status,
    ).toBe(204);
    const ok = await login(email, password);
    expect(ok.status).toBe(200);
    expect(ok.body.user.emailVerified).toBe(true);
  });

  it('the seeded admin (ADMIN_EMAIL) counts as verified', async () => {
    expect((await loginAdmin(t.http)).user.emailVerified).toBe(true);
  });
});

describe('mail rate limits (MAIL_RATE_LIMIT per address, AUTH_RATE_LIMIT per IP)', () => {
  const smtp = new TestSmtp();
  let t: TestApp;

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp({
      SMTP_URL: smtp.url,
      MAIL_POLL_INTERVAL: '300s',
      MAIL_RATE_LIMIT: '2/60s',
      AUTH_RATE_LIMIT: '6/60s',
      // The client IP from X-Forwarded-For (one proxy hop), so a test can be several clients.
      TRUST_PROXY: '1',
    });
  });

  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  const forgot = (email: string, ip: string) =>
    t.http().post('/api/auth/password/forgot').set('X-Forwarded-For', ip).send({ email });

  it('forgot past the per-address limit still answers 202, the same body, and sends nothing', async () => {
    const { email } = await registerUser(t.http);
    const resets = () =>
      smtp.mails.filter((m) => m.subject === 'Reset your password' && m.text?.includes(email));
    const answers = [];
    // From four IPs: the count is per address.
    for (let i = 0; i < 4; i++) answers.push(await forgot(email, `198.51.100.${i}`));
    for (const res of answers)
      expect([res.status, res.body]).toEqual([202, { status: 'accepted' }]);
    for (const res of answers) expect(res.headers['retry-after']).toBeUndefined();
    await mailsTo(smtp, email, 2);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(resets()).toHaveLength(2);
    const outbox = await t.dataSource
      .getRepository(OutboxMail)
      .findBy({ recipient: email, kind: 'password_reset' });
    expect(outbox).toHaveLength(2);
  });

  it('forgot past the per-IP limit answers 429 with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await forgot(uniqueEmail('ip'), '203.0.113.9')).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 429]);
  });

  it('resend past the per-account limit answers 429 with Retry-After', async () => {
    const { pair } = await registerUser(t.http);
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.http().post('/api/auth/email/resend').set(bearer(pair.accessToken));
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.code).toBe('too_many_requests');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([202, 202, 429]);
  });

  it('a forged token spends no one’s resend budget (counted after authentication)', async () => {
    const { pair } = await registerUser(t.http);
    const [header, , signature] = pair.accessToken.split('.');
    const payload = Buffer.from(pair.accessToken.split('.')[1], 'base64url').toString();
    const forged = `${header}.${Buffer.from(payload.replace(/"sid":"[^"]+"/, '"sid":"x"')).toString('base64url')}.${signature}`;
    for (let i = 0; i < 3; i++) {
      const res = await t.http().post('/api/auth/email/resend').set(bearer(forged));
      expect(res.status).toBe(401);
    }
    const res = await t.http().post('/api/auth/email/resend').set(bearer(pair.accessToken));
    expect(res.status).toBe(202);
  });
});
