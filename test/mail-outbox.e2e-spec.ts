import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OutboxMail } from '../src/mail/outbox-mail.entity';
import { OutboxService } from '../src/mail/outbox.service';
import { createTestApp, TestApp } from './utils/create-app';
import { LogCapture } from './utils/log-capture';
import { TestSmtp } from './utils/smtp';

const mail = (n: number) => ({
  kind: 'test',
  to: `user${n}@example.com`,
  subject: `Hello ${n}`,
  text: `Mail ${n}: https://app.example.com/reset?token=t${n}`,
  html: `<p>Mail ${n}</p>`,
});

async function rowsOf(t: TestApp): Promise<OutboxMail[]> {
  return t.dataSource.getRepository(OutboxMail).find({ order: { createdAt: 'ASC' } });
}

/** The transactional outbox (src/mail/outbox.service.ts) against a real SMTP server. */
describe('mail outbox over SMTP', () => {
  const smtp = new TestSmtp();
  const logs = new LogCapture();
  let t: TestApp;
  let outbox: OutboxService;

  beforeAll(async () => {
    await smtp.start();
    // A long poll interval: each step below starts the sender itself (enqueue or kick).
    t = await createTestApp(
      { SMTP_URL: smtp.url, MAIL_MAX_ATTEMPTS: '3', MAIL_POLL_INTERVAL: '300s' },
      { logs },
    );
    outbox = t.app.get(OutboxService);
  });

  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  beforeEach(async () => {
    await t.dataSource.getRepository(OutboxMail).clear();
    smtp.mails.length = 0;
  });

  it('delivers enqueued mails over SMTP at once, each once, with the row id as Message-ID', async () => {
    const ids = [];
    for (let n = 1; n <= 3; n++) ids.push(await outbox.enqueue(mail(n)));
    const arrived = await smtp.waitFor(3);
    expect(arrived.map((m) => m.subject).sort()).toEqual(['Hello 1', 'Hello 2', 'Hello 3']);
    const first = arrived.find((m) => m.subject === 'Hello 1');
    expect(first?.to).toMatchObject({ text: 'user1@example.com' });
    expect(first?.text?.trim()).toBe('Mail 1: https://app.example.com/reset?token=t1');
    expect(first?.html).toContain('<p>Mail 1</p>');
    expect(first?.messageId).toBe(`<${ids[0]}@localhost>`);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(smtp.mails).toHaveLength(3);
    const rows = await rowsOf(t);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
      ['sent', 1],
    ]);
  });

  it('never sends a row twice when two senders race for it (the conditional claim decides)', async () => {
    // Written straight to the table, so no sender starts before the race below.
    const repo = t.dataSource.getRepository(OutboxMail);
    const now = t.clock.now();
    for (let n = 1; n <= 8; n++) {
      await repo.insert({
        id: `00000000-0000-4000-8000-00000000000${n}`,
        kind: 'test',
        recipient: `race${n}@example.com`,
        subject: `Race ${n}`,
        textBody: 'x',
        htmlBody: null,
        status: 'pending',
        attempts: 0,
        createdAt: now,
        nextAttemptAt: now,
        claimedUntil: null,
        sentAt: null,
        lastError: null,
      });
    }
    const rounds = await Promise.all([outbox.sendDue(), outbox.sendDue(), outbox.sendDue()]);
    expect(rounds.reduce((sum, r) => sum + r.sent, 0)).toBe(8);
    await smtp.waitFor(8);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(smtp.mails).toHaveLength(8);
    expect(new Set(smtp.mails.map((m) => m.subject)).size).toBe(8);
  });

  it('SMTP down: enqueue answers at once, the mail waits with a back-off, then goes out once', async () => {
    await smtp.stop();
    try {
      const started = Date.now();
      const id = await outbox.enqueue(mail(9));
      expect(Date.now() - started).toBeLessThan(500);
      // The first attempt (started by enqueue) fails: back to pending, due again in 1 s.
      const deadline = Date.now() + 10_000;
      let row: OutboxMail | null = null;
      while (Date.now() < deadline) {
        row = await t.dataSource.getRepository(OutboxMail).findOneBy({ id });
        if (row?.attempts === 1 && row.status === 'pending') break;
        await new Promise((ok) => setTimeout(ok, 50));
      }
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row?.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(row!.nextAttemptAt.getTime() - t.clock.now().getTime()).toBeGreaterThan(500);
      // Not due yet: a look now sends nothing.
      expect(await outbox.sendDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    } finally {
      await smtp.start();
    }
    t.clock.advance(2);
    expect(await outbox.sendDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    await smtp.waitFor(1);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(smtp.mails.map((m) => m.subject)).toEqual(['Hello 9']);
    expect((await rowsOf(t)).map((r) => [r.status, r.attempts])).toEqual([['sent', 2]]);
  });

  it('gives a mail up after MAIL_MAX_ATTEMPTS, with the audit event mail.failed', async () => {
    await smtp.stop();
    let id: string;
    try {
      id = await outbox.enqueue(mail(10));
      for (let attempt = 0; attempt < 5; attempt++) {
        await new Promise((ok) => setTimeout(ok, 100));
        t.clock.advance(10);
        await outbox.sendDue();
      }
    } finally {
      await smtp.start();
    }
    const [row] = await rowsOf(t);
    expect(row).toMatchObject({ id: id!, status: 'failed', attempts: 3 });
    const events = logs.events('mail.failed').filter((e) => e.mailId === id!);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'test', attempts: 3 });
    // Final: never sent later.
    t.clock.advance(3600);
    expect(await outbox.sendDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.mails).toHaveLength(0);
  });
});

describe('mail outbox without SMTP_URL (the embedded default)', () => {
  const dir = join('test-output', `outbox-${process.pid}`);
  const logs = new LogCapture();
  let t: TestApp;

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    t = await createTestApp({ MAIL_OUTBOX_DIR: dir, LOG_LEVEL: 'info' }, { logs });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes each mail as an .eml file and logs its links', async () => {
    const id = await t.app.get(OutboxService).enqueue(mail(1));
    const file = join(dir, `${id}.eml`);
    const deadline = Date.now() + 5_000;
    while (!existsSync(file) && Date.now() < deadline)
      await new Promise((ok) => setTimeout(ok, 20));
    expect(readdirSync(dir)).toEqual([`${id}.eml`]);
    const eml = readFileSync(file, 'utf8');
    expect(eml).toMatch(/^Subject: Hello 1$/m);
    expect(eml).toMatch(/^To: user1@example.com$/m);
    expect(logs.text()).toContain('link: https://app.example.com/reset?token=t1');
  });
});
