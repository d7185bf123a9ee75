import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OutboxMail, OutboxStatus } from '../../mail/outbox-mail.entity';
import { OutboxService } from '../../mail/outbox.service';
import { OUTBOX_LIST_STATUSES, OutboxListStatus } from '../args';
import { formatTable } from '../table';
import { printable } from './list-sessions.command';

/** One mail as `--json` prints it (never its subject or body: the body holds a live link). */
export interface OutboxRecord {
  id: string;
  kind: string;
  recipient: string;
  status: OutboxStatus;
  attempts: number;
  createdAt: string;
  /**
   * When a sender tries it next: `nextAttemptAt` when pending, the end of the current claim
   * when sending (another sender takes it over then if this one died), null when failed.
   */
  nextAttemptAt: string | null;
  lastError: string | null;
}

const ERROR_COLUMN = 60;
const shortTime = (iso: string | null) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');

/** `outbox [--status s]... [--json]`: the mails not sent yet, oldest first. */
@Injectable()
export class OutboxCommand {
  constructor(
    private readonly outbox: OutboxService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async run(options: { statuses: OutboxListStatus[]; json: boolean }): Promise<string> {
    const statuses = options.statuses.length ? options.statuses : [...OUTBOX_LIST_STATUSES];
    const rows = await this.outbox.list(statuses);
    const records = rows.map(toRecord);
    if (options.json) return JSON.stringify(records, null, 2);
    // OutboxService.list stops at 1000 rows; the summary counts them all.
    const counts = await this.counts(statuses);
    const total = statuses.reduce((sum, status) => sum + counts[status], 0);
    const summary =
      statuses.map((status) => `${counts[status]} ${status}`).join(', ') +
      (total > records.length ? ` (the oldest ${records.length} shown)` : '');
    if (records.length === 0) return summary;
    const table = formatTable(
      ['ID', 'KIND', 'RECIPIENT', 'STATUS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
      records.map((record) => [
        record.id,
        record.kind,
        printable(record.recipient, 80),
        record.status,
        String(record.attempts),
        shortTime(record.nextAttemptAt),
        // An SMTP server's reply: no control characters to the operator's terminal.
        printable(record.lastError ?? '-', ERROR_COLUMN),
      ]),
    );
    return `${table}\n${summary}`;
  }

  private async counts(statuses: OutboxListStatus[]): Promise<Record<OutboxListStatus, number>> {
    const rows = await this.dataSource
      .getRepository(OutboxMail)
      .createQueryBuilder('m')
      .select('m.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .where('m.status IN (:...statuses)', { statuses })
      .groupBy('m.status')
      .getRawMany<{ status: OutboxListStatus; n: number | string }>();
    const counts = { pending: 0, sending: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }
}

function toRecord(mail: OutboxMail): OutboxRecord {
  const next =
    mail.status === 'pending'
      ? mail.nextAttemptAt
      : mail.status === 'sending'
        ? mail.claimedUntil
        : null;
  return {
    id: mail.id,
    kind: mail.kind,
    recipient: mail.recipient,
    status: mail.status,
    attempts: mail.attempts,
    createdAt: mail.createdAt.toISOString(),
    nextAttemptAt: next?.toISOString() ?? null,
    lastError: mail.lastError,
  };
}
