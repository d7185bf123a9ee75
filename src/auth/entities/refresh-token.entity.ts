import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Session } from './session.entity';

/**
 * One generation of a session's refresh token. The id is the token's `jti`, so a presented
 * token is found by primary key; only a SHA-256 hash of the token itself is stored.
 */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_refresh_tokens_session_id')
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session: Session;

  /** The token this one replaced; unique, so a token can never have two successors. */
  @Index('uq_refresh_tokens_parent_id', { unique: true })
  @Column({ name: 'parent_id', type: 'varchar', length: 36, nullable: true })
  parentId: string | null;

  /** Hex SHA-256 of the whole token string. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Idle end: created + REFRESH_TOKEN_TTL, capped at the session's absolute end. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  /** When it was rotated; set once by the conditional update that decides the race. */
  @Column({ name: 'spent_at', type: 'datetime', precision: 3, nullable: true })
  spentAt: Date | null;
}
