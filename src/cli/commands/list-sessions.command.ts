import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, IsNull, MoreThan, Repository } from 'typeorm';
import { Session, SessionEndReason } from '../../auth/entities/session.entity';
import { Clock } from '../../common/clock';
import { UsersService } from '../../users/users.service';
import { findUserByEmail } from '../operator';
import { formatTable } from '../table';

/** One session as `--json` prints it; times are ISO 8601 UTC. */
export interface SessionRecord {
  id: string;
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  lastUsedAt: string;
  /** When it ends unless refreshed (its live refresh token's expiry), as in GET /auth/sessions. */
  expiresAt: string;
  /** Its absolute end (login + SESSION_MAX_TTL), whatever the refreshes. */
  endsAt: string;
  revokedAt: string | null;
  revokedReason: SessionEndReason | null;
  ip: string | null;
  userAgent: string | null;
}

const USER_AGENT_COLUMN = 50;
const shortTime = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

/** `list-sessions <email>`: a user's sessions, active ones unless `all`. */
@Injectable()
export class ListSessionsCommand {
  constructor(
    private readonly users: UsersService,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly clock: Clock,
  ) {}

  async run(email: string, options: { all: boolean; json: boolean }): Promise<string> {
    const user = await findUserByEmail(this.users, email);
    const now = this.clock.now();
    // "Active" as GET /auth/sessions has it: not revoked, refresh token not yet expired.
    const where: FindOptionsWhere<Session> = options.all
      ? { userId: user.id }
      : { userId: user.id, revokedAt: IsNull(), refreshExpiresAt: MoreThan(now) };
    const rows = await this.sessions.find({
      where,
      order: { lastUsedAt: 'DESC', createdAt: 'DESC' },
    });
    const records = rows.map((session) => toRecord(session, now));
    if (options.json) return JSON.stringify(records, null, 2);
    const active = records.filter((record) => record.status === 'active').length;
    const summary = options.all
      ? `${user.email}: ${records.length} stored session(s), ${active} active`
      : `${user.email}: ${active} active session(s)`;
    if (records.length === 0) return summary;
    const table = formatTable(
      ['ID', 'STATUS', 'CREATED', 'LAST USED', 'EXPIRES', 'IP', 'USER AGENT'],
      records.map((record) => [
        record.id,
        record.revokedReason ? `revoked (${record.revokedReason})` : record.status,
        shortTime(record.createdAt),
        shortTime(record.lastUsedAt),
        shortTime(record.expiresAt),
        printable(record.ip ?? '-', 45),
        printable(record.userAgent ?? '-', USER_AGENT_COLUMN),
      ]),
    );
    return `${table}\n${summary}`;
  }
}

function toRecord(session: Session, now: Date): SessionRecord {
  const status = session.revokedAt
    ? 'revoked'
    : session.refreshExpiresAt <= now
      ? 'expired'
      : 'active';
  return {
    id: session.id,
    status,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.refreshExpiresAt.toISOString(),
    endsAt: session.expiresAt.toISOString(),
    revokedAt: session.revokedAt?.toISOString() ?? null,
    revokedReason: session.revokedReason,
    ip: session.ip,
    userAgent: session.userAgent,
  };
}

/**
 * Clients wrote the User-Agent (and, behind a proxy, maybe the IP): control and format
 * characters (terminal escapes, bidi overrides) become `?` before they reach an operator's
 * terminal, and a long value is cut.
 */
export function printable(text: string, max: number): string {
  const chars = Array.from(text.replace(/[\p{Cc}\p{Cf}]/gu, '?'));
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}
