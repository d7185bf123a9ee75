import { createServer } from 'node:net';
import { TestSmtp } from '../utils/smtp';
import {
  call,
  connect,
  countBy,
  freshDatabase,
  Instance,
  percentile,
  register,
  report,
  rows,
  sleep,
  startCluster,
  stopAll,
} from './harness';

/** Users asking for a reset link, one request each. */
const USERS = 20;
/** Bound on one forgot answer: it waits for neither SMTP nor the transaction (ms). */
const ANSWER_BOUND_MS = 1_000;

/** A port nothing listens on (yet): the SMTP server starts on it later. */
function unusedPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

interface OutboxRow {
  id: string;
  recipient: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

/**
 * Issue 14's "SMTP down at request time, then up" with two instances: every forgot request
 * is answered 202 at once while no SMTP server listens; the first attempts fail and back off;
 * once the server is up every mail arrives exactly once, although both instances' senders
 * look at the same rows (the conditional claim decides who sends).
 */
describe('cluster: the mail outbox with SMTP down, then up, on two instances', () => {
  const smtp = new TestSmtp();
  let instances: Instance[] = [];
  let url: string;

  beforeAll(async () => {
    url = await freshDatabase('mail_outbox');
    smtp.port = await unusedPort();
    // Both senders look every second; the back-off is fixed (1 s, 2 s, 4 s, ... after each
    // failed attempt), and 8 attempts span two minutes, far more than this test needs.
    instances = await startCluster(2, url, {
      SMTP_URL: smtp.url,
      MAIL_POLL_INTERVAL: '1s',
      MAIL_MAX_ATTEMPTS: '8',
      APP_URL: 'https://app.example.com',
    });
  });

  afterAll(async () => {
    await stopAll(instances);
    await smtp.stop();
  });

  it('answers every forgot request 202 at once, then delivers each mail exactly once', async () => {
    const emails = Array.from(
      { length: USERS },
      (_, i) => `outbox-${String(i).padStart(2, '0')}@example.com`,
    );
    for (const [i, email] of emails.entries()) await register(instances[i % 2], email);

    // SMTP down: nothing listens on the port the instances were given.
    const answers = await Promise.all(
      emails.map((email, i) =>
        call(instances[i % 2], 'POST', '/api/auth/password/forgot', { body: { email } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(emails.map(() => 202));
    const ms = answers.map((a) => a.ms);
    expect(Math.max(...ms)).toBeLessThan(ANSWER_BOUND_MS);

    const db = await connect(url);
    try {
      const resetRows = () =>
        rows<OutboxRow>(
          db,
          `SELECT id, recipient, status, attempts, last_error FROM mail_outbox
            WHERE kind = 'password_reset'`,
        );
      // Every mail stored, and tried (and failed) at least once while SMTP was down.
      const deadline = Date.now() + 30_000;
      let stored = await resetRows();
      while (
        (stored.length < USERS || stored.some((r) => r.attempts < 1 || r.status !== 'pending')) &&
        Date.now() < deadline
      ) {
        await sleep(100);
        stored = await resetRows();
      }
      if (stored.length < USERS) {
        // A write that failed is logged (at error) by the instance that took the request.
        const logs = instances.map((i) => `--- ${i.name}:\n${i.logs()}`).join('\n');
        throw new Error(`${stored.length} of ${USERS} reset mails stored within 30 s\n${logs}`);
      }
      expect(stored.map((r) => r.recipient).sort()).toEqual([...emails].sort());
      for (const row of stored) {
        expect(row).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/./) });
        expect(row.attempts).toBeGreaterThanOrEqual(1);
      }
      expect(smtp.mails).toHaveLength(0);

      // SMTP up, on that port: the senders' next attempts go through.
      await smtp.start(smtp.port);
      const upAt = Date.now();
      // The Message-ID is the row's id: the reset mails, not other mails (verification).
      const ids = new Set(stored.map((r) => r.id));
      const rowId = (messageId: string | undefined) => /^<([^@>]+)@/.exec(messageId ?? '')?.[1];
      const resetMails = () => smtp.mails.filter((m) => ids.has(rowId(m.messageId) ?? ''));
      while (resetMails().length < USERS && Date.now() - upAt < 60_000) await sleep(50);
      const deliveredMs = Date.now() - upAt;
      // Two more rounds of both senders: a duplicate would have arrived by then.
      await sleep(3_000);

      const mails = resetMails();
      const perRecipient = countBy(mails.map((m) => (m.to && 'text' in m.to ? m.to.text : '?')));
      const perMessage = countBy(mails.map((m) => m.messageId ?? '?'));
      const duplicates = mails.length - Object.keys(perMessage).length;
      expect(perRecipient).toEqual(Object.fromEntries(emails.map((email) => [email, 1])));
      expect(duplicates).toBe(0);

      const sent = (await resetRows()).sort((a, b) => a.recipient.localeCompare(b.recipient));
      expect(sent.map((r) => r.status)).toEqual(emails.map(() => 'sent'));
      const retried = sent.filter((r) => r.attempts > 1).length;
      expect(retried).toBeGreaterThanOrEqual(1);

      // What arrived is a working link (the token of the mail resets the password).
      const link = /reset-password\?token=([A-Za-z0-9_-]{43})\b/.exec(mails[0].text ?? '');
      expect(link).not.toBeNull();
      const reset = await call(instances[1], 'POST', '/api/auth/password/reset', {
        body: { token: link![1], password: 'a brand new password' },
      });
      expect(reset.status).toBe(204);

      report('mail-outbox', {
        sent: mails.length,
        retried,
        duplicates,
        instances: instances.length,
        attempts: countBy(sent.map((r) => r.attempts)),
        answerMsP50: percentile(ms, 50),
        answerMsMax: percentile(ms, 100),
        deliveredMsAfterSmtpUp: deliveredMs,
      });
    } finally {
      await db.end();
    }
  });
});
