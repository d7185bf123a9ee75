import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One password-reset link. Only the SHA-256 of its token is stored: the token itself exists
 * in the mail alone. Usable once, until `expiresAt`, and only while neither `usedAt` nor
 * `voidedAt` is set (a newer request, a reset, or a password change voids the others).
 */
@Entity('password_reset_tokens')
export class PasswordResetToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('IDX_password_reset_tokens_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** Hex SHA-256 of the token (32 random bytes, base64url in the link). */
  @Index('IDX_password_reset_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Indexed for the purge of expired links (migration Mfa). */
  @Index('IDX_password_reset_tokens_expires')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;

  @Column({ name: 'voided_at', type: 'datetime', precision: 3, nullable: true })
  voidedAt: Date | null;
}
