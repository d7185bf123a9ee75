import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** Why a session ended; kept for audits and to answer the right error code. */
export type SessionEndReason =
  | 'logout'
  | 'logout_all'
  | 'deleted'
  | 'password_change'
  | 'password_reset'
  | 'reuse_detected'
  | 'admin'
  | 'user_disabled'
  /** RFC 7009 revocation of one of its tokens (POST /api/oauth/revoke). */
  | 'revoked';

/**
 * One login: the chain of refresh tokens it starts. Its id is the `sid` claim of every access
 * token issued in it, so checking an access token is one primary-key lookup.
 */
@Entity('sessions')
export class Session {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_sessions_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: User;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'datetime', precision: 3 })
  lastUsedAt: Date;

  /** Absolute end: login + SESSION_MAX_TTL. No refresh token of the session outlives it. */
  @Index('idx_sessions_expires_at')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  /** When the session's live refresh token expires (idle end, capped at `expiresAt`). */
  @Column({ name: 'refresh_expires_at', type: 'datetime', precision: 3 })
  refreshExpiresAt: Date;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason: SessionEndReason | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 255, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip: string | null;

  /**
   * How the session was proven (RFC 8176 values, space-separated): `pwd`, or `pwd otp` after
   * a second factor. Access tokens carry it as the `amr` array.
   */
  @Column({ type: 'varchar', length: 32, default: 'pwd' })
  amr: string;

  /** When it was last proven (login, second factor, reauthenticate): the tokens' `auth_time`. */
  // Nullable in the schema (added by the Mfa migration, which backfilled created_at); always
  // written since.
  @Column({ name: 'auth_time', type: 'datetime', precision: 3, nullable: true })
  authTime: Date;
}
