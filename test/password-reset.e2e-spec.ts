import { randomBytes } from 'node:crypto';
import { PasswordResetToken } from '../src/auth/entities/password-reset-token.entity';
import { OutboxMail } from '../src/mail/outbox-mail.entity';
import { bearer, login, registerUser, uniqueEmail } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { LogCapture } from './utils/log-capture';
import { TestSmtp } from './utils/smtp';

const NEW_PASSWORD = 'a brand new horse battery';

/** The token of the reset link in a mail's text. */
function tokenIn(text: string | undefined): string {
  const match = /reset-password\?token=([A-Za-z0-9_-]{43})\b/.exec(text ?? '');
  if (!match) throw new Error(`no reset link in ${text}`);
  return match[1];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2
  );
};

/** Password reset by mail, end to end through a real SMTP server (smtp-server + mailparser). */
describe('password reset', () => {
  const smtp = new TestSmtp({ subject: 'Reset your password' });
  const logs = new LogCapture();
  let t: TestApp;

  const forgot = (email: unknown) => t.http().post('/api/auth/password/forgot').send({ email });
  const reset = (token: unknown, password: unknown = NEW_PASSWORD) =>
    t.http().post('/api/auth/password/reset').send({ token, password });

  /** Asks for a link for `email` and returns its token from the mail that arrives. */
  async function linkFor(email: string): Promise<string> {
    const before = smtp.mails.length;
    const res = await forgot(email);
    expect(res.status).toBe(202);
    const mails = await smtp.waitFor(before + 1);
    const mail = mails[mails.length - 1];
    expect(mail.to).toMatchObject({ text: email });
    return tokenIn(mail.text);
  }

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

  it('mails a single-use link; the reset sets the password and ends every session at once', async () => {
    const { email, password, pair } = await registerUser(t.http);
    const other = await login(t.http, email, password);
    const token = await linkFor(email);
    const mail = smtp.mails[smtp.mails.length - 1];
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain(`https://app.example.com/reset-password?token=${token}`);
    expect(mail.html).toContain(`href="https://app.example.com/reset-password?token=${token}"`);

    expect((await reset(token)).status).toBe(204);
    for (const session of [pair, other]) {
      const me = await t.http().get('/api/users/me').set(bearer(session.accessToken));
      expect([me.status, me.body.code]).toEqual([401, 'token_revoked']);
      const refresh = await t
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: session.refreshToken });
      expect([refresh.status, refresh.body.code]).toEqual([401, 'refresh_token_revoked']);
    }
    expect((await t.http().post('/api/auth/login').send({ email, password })).status).toBe(401);
    expect((await login(t.http, email, NEW_PASSWORD)).accessToken).toEqual(expect.any(String));
    // Once only.
    const again = await reset(token, 'yet another horse battery');
    expect([again.status, again.body.code]).toEqual([400, 'reset_token_invalid']);
    expect(logs.events('auth.password_reset.completed').map((e) => e.userId)).toContain(
      pair.user.id,
    );
  });

  it('stores only the SHA-256 of the token, never the token', async () => {
    const { email, pair } = await registerUser(t.http);
    const token = await linkFor(email);
    const rows = await t.dataSource
      .getRepository(PasswordResetToken)
      .findBy({ userId: pair.user.id });
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const stored = JSON.stringify(await t.dataSource.query('SELECT * FROM password_reset_tokens'));
    expect(stored).not.toContain(token);
  });

  it('answers an unknown email exactly as a known one, and mails nothing to it', async () => {
    const { email } = await registerUser(t.http);
    const sentBefore = smtp.mails.length;
    const known = await forgot(email);
    await smtp.waitFor(sentBefore + 1);
    const before = smtp.mails.length;
    const nobody = uniqueEmail('nobody');
    const unknown = await forgot(nobody);
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect(unknown.body).toEqual({ status: 'accepted' });
    await new Promise((ok) => setTimeout(ok, 300));
    expect(smtp.mails.length).toBe(before);
    const unknownRows = await t.dataSource.getRepository(OutboxMail).findBy({ recipient: nobody });
    expect(unknownRows).toHaveLength(0);
  });

  it('a newer request voids the older link; the newer one works', async () => {
    const { email } = await registerUser(t.http);
    const first = await linkFor(email);
    const second = await linkFor(email);
    expect((await reset(first)).body.code).toBe('reset_token_invalid');
    expect((await reset(second)).status).toBe(204);
  });

  it('an expired link, a link voided by a password change and a forged one all answer the same', async () => {
    const expiring = await registerUser(t.http);
    const expired = await linkFor(expiring.email);
    t.clock.advance(31 * 60);
    const changing = await registerUser(t.http);
    const voided = await linkFor(changing.email);
    await t
      .http()
      .post('/api/auth/change-password')
      .set(bearer(changing.pair.accessToken))
      .send({ currentPassword: changing.password, newPassword: NEW_PASSWORD })
      .expect(200);
    const forged = randomBytes(32).toString('base64url');
    const answers = [];
    for (const token of [expired, voided, forged]) answers.push(await reset(token));
    const withoutRequestId = ({ requestId, ...body }: Record<string, unknown>) => {
      expect(requestId).toEqual(expect.any(String));
      return body;
    };
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(withoutRequestId(res.body)).toEqual(withoutRequestId(answers[0].body));
    }
    expect(answers[0].body.code).toBe('reset_token_invalid');
  });

  it('two concurrent resets with one link: exactly one 204', async () => {
    for (let round = 0; round < 3; round++) {
      const { email } = await registerUser(t.http);
      const token = await linkFor(email);
      const results = await Promise.all(
        ['first horse battery', 'second horse battery', 'third horse battery'].map((p) =>
          reset(token, p),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([204, 400, 400]);
      const winner = ['first horse battery', 'second horse battery', 'third horse battery'][
        results.findIndex((r) => r.status === 204)
      ];
      expect((await login(t.http, email, winner)).accessToken).toEqual(expect.any(String));
    }
  });

  it('refuses bad input with 400 and sends no mail for it', async () => {
    const before = smtp.mails.length;
    const cases: [string, unknown][] = [
      ['forgot', 'not-an-email'],
      ['forgot', 'ann@example.com\r\nBcc: evil@example.com'],
      ['forgot', 'ann@example.com>\nSubject: hi'],
      ['forgot', 123],
      ['forgot', { $ne: null }],
      ['forgot', `${'a'.repeat(250)}@example.com`],
    ];
    for (const [, email] of cases) {
      const res = await forgot(email);
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    }
    for (const token of [123, null, ['x'], 'x'.repeat(101)]) {
      const res = await reset(token);
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    }
    // A string of the wrong shape is no token: the one answer for every bad token.
    expect((await reset('short')).body.code).toBe('reset_token_invalid');
    expect((await reset(randomBytes(32).toString('base64url'), 'short')).body.code).toBe(
      'validation_failed',
    );
    await new Promise((ok) => setTimeout(ok, 200));
    expect(smtp.mails.length).toBe(before);
  });

  it('takes about the same time for known and unknown emails (medians within 30 %)', async () => {
    const { email } = await registerUser(t.http);
    const time = async (address: string) => {
      const started = performance.now();
      const res = await forgot(address);
      expect(res.status).toBe(202);
      return performance.now() - started;
    };
    // Warm both paths, then alternate, swapping which goes first each round, so drift and the
    // sender's work after a known request (it sends that mail) hit both alike.
    await time(email);
    await time(uniqueEmail('nobody'));
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) {
        known.push(await time(email));
        unknown.push(await time(uniqueEmail('nobody')));
      } else {
        unknown.push(await time(uniqueEmail('nobody')));
        known.push(await time(email));
      }
    }
    const ratio = median(known) / median(unknown);
    console.log(
      `forgot timing: known median ${median(known).toFixed(2)} ms, unknown median ` +
        `${median(unknown).toFixed(2)} ms, ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeGreaterThan(1 / 1.3);
    expect(ratio).toBeLessThan(1.3);
  });
});
