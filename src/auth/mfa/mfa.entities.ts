import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A user's TOTP factor: `pending` from setup until a code confirms it, then `active`. The
 * secret is sealed with DATA_ENCRYPTION_KEY (AES-256-GCM, the user id as associated data).
 * `lastUsedStep` is the RFC 6238 time step of the last accepted code: a code is accepted only
 * for a later step, decided by a conditional UPDATE, so a code works once, on any instance.
 * `failures` counts wrong codes since `failuresSince`, for MFA_RATE_LIMIT.
 */
@Entity('user_mfa')
export class UserMfa {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'secret_sealed', type: 'varchar', length: 255 })
  secretSealed: string;

  @Column({ type: 'varchar', length: 16 })
  status: 'pending' | 'active';

  @Column({ name: 'last_used_step', type: 'bigint', nullable: true })
  lastUsedStep: string | null;

  @Column({ type: 'int', default: 0 })
  failures: number;

  @Column({ name: 'failures_since', type: 'datetime', precision: 3, nullable: true })
  failuresSince: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'confirmed_at', type: 'datetime', precision: 3, nullable: true })
  confirmedAt: Date | null;
}

/** One recovery code: only its SHA-256 (the codes carry 80 random bits); usable once. */
@Entity('mfa_recovery_codes')
export class MfaRecoveryCode {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('IDX_mfa_recovery_codes_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Index('IDX_mfa_recovery_codes_hash', { unique: true })
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;
}

/**
 * Login's second step: the mfa token a right password answers for an enrolled user. Only its
 * SHA-256 is stored; single-use, MFA_TOKEN_TTL, and void after MFA_TOKEN_ATTEMPTS wrong codes.
 */
@Entity('mfa_challenges')
export class MfaChallenge {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('IDX_mfa_challenges_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Index('IDX_mfa_challenges_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Index('IDX_mfa_challenges_expires')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;
}
