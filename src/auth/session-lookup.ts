import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EntityColumns } from '../database/entity-columns';
import { SessionCache } from '../session-cache/session-cache.service';
import { User } from '../users/entities/user.entity';
import { Session } from './entities/session.entity';

/** The session of an access token, joined with its user. */
export type SessionWithUser = Pick<
  Session,
  'id' | 'userId' | 'expiresAt' | 'revokedAt' | 'amr' | 'authTime'
> & {
  user: User;
};

/** The user's columns every authenticated request needs (never the password hash). */
export const USER_COLUMNS = [
  'id',
  'email',
  'name',
  'roles',
  'disabled',
  'email_verified_at',
  'mfa_enabled',
  'created_at',
  'updated_at',
];

/**
 * The per-request check behind every access token: one primary-key lookup of the session
 * joined with its user, its SQL built once (see EntityColumns for why not a query builder),
 * answered from the session-state cache when it holds the session (see SessionCache for how
 * an ending reaches every instance's cache).
 */
@Injectable()
export class SessionLookup {
  private readonly sql: string;
  private readonly session: EntityColumns<Session>;
  private readonly user: EntityColumns<User>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: SessionCache,
  ) {
    const q = (name: string) => dataSource.driver.escape(name);
    this.session = new EntityColumns(dataSource, Session, 's', [
      'user_id',
      'expires_at',
      'revoked_at',
      'amr',
      'auth_time',
    ]);
    this.user = new EntityColumns(dataSource, User, 'u', USER_COLUMNS);
    this.sql =
      `SELECT ${this.session.select}, ${this.user.select} FROM ${q('sessions')} s ` +
      `INNER JOIN ${q('users')} u ON u.${q('id')} = s.${q('user_id')} WHERE s.${q('id')} = ?`;
  }

  /** The session with its user; from the cache when it holds it (valid sessions only). */
  find(sid: string): Promise<SessionWithUser | null> {
    return this.cache.lookup(
      sid,
      () => this.read(sid),
      (session) => session.revokedAt === null && !session.user.disabled,
    );
  }

  private async read(sid: string): Promise<SessionWithUser | null> {
    const rows = await this.dataSource.query<Record<string, unknown>[]>(this.sql, [sid]);
    if (rows.length === 0) return null;
    const session = this.session.hydrate(rows[0]);
    const user = this.user.hydrate(rows[0]);
    // One cached answer serves many requests: none of them may change it for the others.
    Object.freeze(user.roles);
    return Object.freeze({
      id: sid,
      userId: session.userId,
      expiresAt: session.expiresAt,
      revokedAt: session.revokedAt,
      amr: session.amr,
      authTime: session.authTime,
      user: Object.freeze(user),
    });
  }
}
