import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `pending`: waits for its `nextAttemptAt`. `sending`: claimed by one sender until
 * `claimedUntil` (a sender that died lets the claim lapse, and another takes it). `sent` and
 * `failed` (given up after MAIL_MAX_ATTEMPTS) are final.
 */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * One mail to send, written in the same transaction as whatever it announces (a reset token),
 * so a mail is never lost nor sent for a change that did not commit.
 */
@Entity('mail_outbox')
@Index('IDX_mail_outbox_due', ['status', 'nextAttemptAt'])
export class OutboxMail {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** What it is for (`password_reset`, …): for the CLI and the audit log, never the content. */
  @Column({ type: 'varchar', length: 40 })
  kind: string;

  @Column({ type: 'varchar', length: 320 })
  recipient: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody: string;

  @Column({ name: 'html_body', type: 'text', nullable: true })
  htmlBody: string | null;

  @Column({ type: 'varchar', length: 10 })
  status: OutboxStatus;

  /** Attempts started so far (a claim counts one). */
  @Column({ type: 'int' })
  attempts: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt: Date;

  @Column({ name: 'claimed_until', type: 'datetime', precision: 3, nullable: true })
  claimedUntil: Date | null;

  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true })
  sentAt: Date | null;

  /** The last SMTP failure, shortened (no credentials: nodemailer's messages carry none). */
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;
}
