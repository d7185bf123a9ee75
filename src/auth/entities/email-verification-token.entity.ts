import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One email-verification link, the twin of PasswordResetToken: only the SHA-256 of its token
 * is stored; usable once, until `expiresAt`, while neither `usedAt` nor `voidedAt` is set (a
 * newer link voids the older ones). `email` is the address the link proves: a link verifies
 * the user only while that is still the account's address.
 */
@Entity('email_verification_tokens')
export class EmailVerificationToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('IDX_email_verification_tokens_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** Hex SHA-256 of the token (32 random bytes, base64url in the link). */
  @Index('IDX_email_verification_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Indexed for the purge of expired links (migration Mfa). */
  @Index('IDX_email_verification_tokens_expires')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;

  @Column({ name: 'voided_at', type: 'datetime', precision: 3, nullable: true })
  voidedAt: Date | null;
}
