import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Brackets, DataSource, Repository } from 'typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { Clock } from '../common/clock';
import { mailConfig } from '../config/mail.config';
import { createMailTransport, MailTransport } from './mail-transport';
import { OutboxMail } from './outbox-mail.entity';

/** Whether this process runs the sender loop (MailModule.forRoot). */
export const OUTBOX_SENDER = Symbol('OUTBOX_SENDER');

/** How long a claim on a row lasts: far longer than one SMTP attempt can (mail-transport.ts). */
export const OUTBOX_CLAIM_MS = 120_000;
/** Rows one look at the outbox claims at most. */
const BATCH = 10;
/** Back-off before attempt n+1: 2^n seconds, at most 5 minutes. */
export const backoffMs = (attempts: number) => Math.min(2 ** attempts * 1000, 300_000);

export interface NewMail {
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

/** What a look at the outbox did (for tests and the CLI). */
export interface SendRound {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * The transactional outbox. A request inserts its mail (`row()`) in the same transaction as
 * the change it announces, and never waits for SMTP. Every instance runs a
 * sender: it claims due rows one by one with a conditional UPDATE (the affected-row count
 * decides, so two instances never both send a row), sends, and marks the row sent; a failure
 * puts it back with a back-off (2^n s, at most 5 min) until MAIL_MAX_ATTEMPTS, then marks it
 * failed with the audit event `mail.failed`.
 *
 * Delivery is at least once, never twice in the normal course: a second send happens only when
 * a sender dies (or stalls past OUTBOX_CLAIM_MS) between the SMTP server's acceptance and
 * marking the row; the Message-ID is the row's id, so a receiver can tell the copy.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxService.name);
  private readonly repo: Repository<OutboxMail>;
  private transport: MailTransport;
  private timer?: NodeJS.Timeout;
  private running: Promise<SendRound> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    @Inject(OUTBOX_SENDER) private readonly sender: boolean,
  ) {
    this.repo = dataSource.getRepository(OutboxMail);
    this.transport = createMailTransport(config);
  }

  onApplicationBootstrap(): void {
    if (this.sender) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    this.transport.close();
  }

  /** Replaces the transport (tests: an SMTP server on a port known only once it listens). */
  useTransport(transport: MailTransport): void {
    this.transport.close();
    this.transport = transport;
  }

  /**
   * A new pending row for `mail`, to be inserted by the caller in the transaction of the
   * change it announces (database/atomic-writes.ts), then `kick()` once that committed.
   */
  row(mail: NewMail, now: Date): OutboxMail {
    return {
      id: randomUUID(),
      kind: mail.kind,
      recipient: mail.to,
      subject: mail.subject,
      textBody: mail.text,
      htmlBody: mail.html,
      status: 'pending',
      attempts: 0,
      createdAt: now,
      nextAttemptAt: now,
      claimedUntil: null,
      sentAt: null,
      lastError: null,
    };
  }

  /** Writes a mail into the outbox on its own (no change to go with) and wakes the sender. */
  async enqueue(mail: NewMail): Promise<string> {
    const row = this.row(mail, this.clock.now());
    await this.repo.insert(row);
    this.kick();
    return row.id;
  }

  /** Looks at the outbox now (again at once if a look is running). */
  kick(): void {
    if (this.stopped || !this.sender) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** One look: claims and sends the due rows, a batch at a time until none is due. */
  async sendDue(): Promise<SendRound> {
    const round: SendRound = { sent: 0, retried: 0, failed: 0 };
    for (;;) {
      const due = await this.dueIds();
      let claimed = 0;
      for (const id of due) {
        const row = await this.claim(id);
        if (!row) continue;
        claimed++;
        const outcome = await this.deliver(row);
        round[outcome]++;
      }
      if (due.length < BATCH || claimed === 0 || this.stopped) return round;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sendDue();
      this.running
        .catch((error: Error) => {
          this.logger.warn(`mail outbox: ${error.message}`);
          return { sent: 0, retried: 0, failed: 0 };
        })
        .finally(() => {
          this.running = null;
          const next = this.again ? 0 : this.config.pollInterval * 1000;
          this.again = false;
          this.schedule(next);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Due rows: pending and due, or claimed by a sender whose claim lapsed. */
  private async dueIds(): Promise<string[]> {
    const now = this.clock.now();
    const rows = await this.repo
      .createQueryBuilder('m')
      .select('m.id', 'id')
      .where(this.dueCondition(now))
      .orderBy('m.next_attempt_at', 'ASC')
      .limit(BATCH)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  private dueCondition(now: Date) {
    return new Brackets((qb) =>
      qb
        .where('(status = :pending AND next_attempt_at <= :now)', { pending: 'pending', now })
        .orWhere('(status = :sending AND claimed_until < :now)', { sending: 'sending', now }),
    );
  }

  /** The row if this sender won it (the conditional UPDATE's affected-row count decides). */
  private async claim(id: string): Promise<OutboxMail | null> {
    const now = this.clock.now();
    const result = await this.repo
      .createQueryBuilder()
      .update(OutboxMail)
      .set({
        status: 'sending',
        claimedUntil: new Date(now.getTime() + OUTBOX_CLAIM_MS),
        attempts: () => 'attempts + 1',
      })
      .where('id = :id', { id })
      .andWhere(this.dueCondition(now))
      .execute();
    if (result.affected !== 1) return null;
    return this.repo.findOneBy({ id });
  }

  private async deliver(row: OutboxMail): Promise<keyof SendRound> {
    try {
      await this.transport.send({
        id: row.id,
        to: row.recipient,
        subject: row.subject,
        text: row.textBody,
        html: row.htmlBody,
      });
    } catch (error) {
      return this.failed(row, error instanceof Error ? error.message : String(error));
    }
    await this.repo.update(
      { id: row.id, status: 'sending' },
      { status: 'sent', sentAt: this.clock.now(), claimedUntil: null, lastError: null },
    );
    return 'sent';
  }

  private async failed(row: OutboxMail, message: string): Promise<keyof SendRound> {
    const error = message.slice(0, 500);
    const now = this.clock.now();
    if (row.attempts >= this.config.maxAttempts) {
      await this.repo.update(
        { id: row.id, status: 'sending' },
        { status: 'failed', claimedUntil: null, lastError: error },
      );
      this.audit.record('mail.failed', {
        mailId: row.id,
        kind: row.kind,
        attempts: row.attempts,
        error,
        ip: null,
        userAgent: null,
      });
      return 'failed';
    }
    const nextAttemptAt = new Date(now.getTime() + backoffMs(row.attempts - 1));
    await this.repo.update(
      { id: row.id, status: 'sending' },
      { status: 'pending', claimedUntil: null, nextAttemptAt, lastError: error },
    );
    this.logger.warn(
      `mail ${row.id} (${row.kind}) not sent, attempt ${row.attempts} of ` +
        `${this.config.maxAttempts}: ${error}; next at ${nextAttemptAt.toISOString()}`,
    );
    return 'retried';
  }

  /** Rows by status, and the pending and failed ones (the CLI's `outbox`). */
  async list(statuses: OutboxMail['status'][] = ['pending', 'sending', 'failed']) {
    return this.repo
      .createQueryBuilder('m')
      .where('m.status IN (:...statuses)', { statuses })
      .orderBy('m.created_at', 'ASC')
      .limit(1000)
      .getMany();
  }
}
