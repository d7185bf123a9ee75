import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { authenticator } from 'otplib';
import { toDataURL } from 'qrcode';
import { DataSource } from 'typeorm';
import { AuditLog } from '../../common/audit/audit-log.service';
import { Clock } from '../../common/clock';
import { AppException, ErrorCode } from '../../common/errors';
import { MFA_TOKEN_ATTEMPTS, MFA_TOKEN_TTL, mfaConfig } from '../../config/mfa.config';
import { AtomicWrites, NOT_APPLIED, Statement } from '../../database/atomic-writes';
import { KeyEncryption } from '../../keys/key-encryption';
import { SessionCache } from '../../session-cache/session-cache.service';
import { User } from '../../users/entities/user.entity';
import { UsersService } from '../../users/users.service';
import { Session } from '../entities/session.entity';
import { hashLinkToken, LINK_TOKEN, newLinkToken } from '../mail-link';
import { PasswordHasher } from '../password/password-hasher.service';
import { AuthUser, RequestMeta } from '../types/auth-user';
import { MfaChallenge, MfaRecoveryCode, UserMfa } from './mfa.entities';

/** RFC 6238 as authenticator apps do it: SHA-1, 6 digits, 30 s steps, ±1 step of skew. */
const PERIOD = 30;
const RECOVERY_CODES = 10;

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

export interface MfaChallengeResponse {
  mfaRequired: true;
  mfaToken: string;
  mfaTokenExpiresIn: number;
  methods: ['totp', 'recovery_code'];
}

/** A second factor presented with a request: a TOTP code or one recovery code. */
export type MfaProof = { code: string } | { recoveryCode: string };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** 80 random bits as `xxxx-xxxx-xxxx-xxxx` (base32, lower case, no 0/1/8/9 confusion). */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** What a user types: case, spaces and dashes do not matter. */
const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

const codeInvalid = () =>
  new AppException(ErrorCode.MfaCodeInvalid, 'The code is wrong or was used already');
const tokenInvalid = () =>
  new AppException(ErrorCode.MfaTokenInvalid, 'The mfa token is invalid or expired; log in again');

/**
 * TOTP enrolment, login's second step, reauthentication and removal. Every check that spends
 * something (a code's time step, a recovery code, an mfa token) is a conditional UPDATE, so a
 * code works once even when two instances receive it at the same moment. Secrets are sealed
 * with DATA_ENCRYPTION_KEY and never leave the service after setup, nor reach a log.
 */
@Injectable()
export class MfaService {
  private readonly sealer: KeyEncryption;

  constructor(
    @Inject(mfaConfig.KEY) private readonly config: ConfigType<typeof mfaConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly writes: AtomicWrites,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly sessionCache: SessionCache,
  ) {
    this.sealer = new KeyEncryption(config.dataEncryptionKey, 'TOTP secret', 'DATA_ENCRYPTION_KEY');
  }

  /** A new secret, not yet active: it replaces any earlier unconfirmed one. */
  async setup(caller: AuthUser): Promise<TotpSetup> {
    const user = await this.users.findOne(caller.id);
    if (user.mfaEnabled) {
      throw new AppException(
        ErrorCode.MfaAlreadyEnabled,
        'Two-factor authentication is enabled already',
      );
    }
    const secret = authenticator.generateSecret(20);
    const now = this.clock.now();
    const q = this.q;
    await this.writes.run([
      { sql: `DELETE FROM ${q('user_mfa')} WHERE ${q('user_id')} = ?`, params: [user.id] },
      this.writes.insert(UserMfa, {
        userId: user.id,
        secretSealed: this.seal(secret, user.id),
        status: 'pending',
        lastUsedStep: null,
        failures: 0,
        failuresSince: null,
        createdAt: now,
        confirmedAt: null,
      }),
    ]);
    const otpauthUrl = authenticator.keyuri(user.email, this.config.issuer, secret);
    return { secret, otpauthUrl, qrCodeDataUrl: await toDataURL(otpauthUrl) };
  }

  /**
   * A code from the new secret activates it; answers the recovery codes (shown once, stored
   * hashed). The caller's session counts as proven with the second factor from now on.
   */
  async confirm(caller: AuthUser, code: string, meta: RequestMeta): Promise<string[]> {
    const factor = await this.factorOf(caller.id);
    if (!factor || factor.status !== 'pending') {
      throw new AppException(
        ErrorCode.MfaNotEnabled,
        'No two-factor setup to confirm; start with setup',
      );
    }
    const step = await this.checkTotp(factor, code, meta);
    const now = this.clock.now();
    const q = this.q;
    const recoveryCodes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    const written = await this.writes.run(
      [
        {
          sql:
            `UPDATE ${q('user_mfa')} SET ${q('status')} = 'active', ${q('confirmed_at')} = ?, ` +
            `${q('last_used_step')} = ?, ${q('failures')} = 0 WHERE ${q('user_id')} = ? ` +
            `AND ${q('status')} = 'pending' AND ${q('secret_sealed')} = ?`,
          params: [this.at(UserMfa, 'confirmedAt', now), step, caller.id, factor.secretSealed],
        },
        this.setMfaEnabled(caller.id, true, now),
        {
          sql: `DELETE FROM ${q('mfa_recovery_codes')} WHERE ${q('user_id')} = ?`,
          params: [caller.id],
        },
        ...recoveryCodes.map((recoveryCode) =>
          this.writes.insert(MfaRecoveryCode, {
            id: randomUUID(),
            userId: caller.id,
            codeHash: sha256(normalizeRecoveryCode(recoveryCode)),
            createdAt: now,
            usedAt: null,
          }),
        ),
        this.proveSession(caller.sessionId, ['pwd', 'otp'], now),
      ],
      { conditional: true },
    );
    // A concurrent setup replaced the secret meanwhile: this code was for the old one.
    if (written === NOT_APPLIED) throw codeInvalid();
    // mfa_enabled and this session's amr: what the access check answers with.
    this.sessionCache.usersChanged([caller.id]);
    this.audit.record('auth.mfa.enrolled', {
      userId: caller.id,
      sessionId: caller.sessionId,
      ...meta,
    });
    return recoveryCodes;
  }

  /** Removes the factor: the password and a current code, both. */
  async remove(caller: AuthUser, password: string, code: string, meta: RequestMeta): Promise<void> {
    const factor = await this.factorOf(caller.id);
    if (!factor || factor.status !== 'active') {
      throw new AppException(ErrorCode.MfaNotEnabled, 'Two-factor authentication is not enabled');
    }
    await this.checkPassword(caller, password);
    const step = await this.checkTotp(factor, code, meta);
    const q = this.q;
    const written = await this.writes.run(
      [
        {
          sql:
            `DELETE FROM ${q('user_mfa')} WHERE ${q('user_id')} = ? AND ${q('status')} = 'active' ` +
            `AND (${q('last_used_step')} IS NULL OR ${q('last_used_step')} < ?)`,
          params: [caller.id, step],
        },
        ...this.forgetFactor(caller.id),
      ],
      { conditional: true },
    );
    if (written === NOT_APPLIED) return this.fail(caller.id, meta);
    this.sessionCache.usersChanged([caller.id]);
    this.audit.record('auth.mfa.removed', {
      userId: caller.id,
      sessionId: caller.sessionId,
      ...meta,
    });
  }

  /** Login's answer for an enrolled user: a single-use mfa token instead of a token pair. */
  async challenge(user: User): Promise<MfaChallengeResponse> {
    const now = this.clock.now();
    const token = newLinkToken();
    await this.writes.run([
      this.writes.insert(MfaChallenge, {
        id: randomUUID(),
        userId: user.id,
        tokenHash: hashLinkToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + MFA_TOKEN_TTL * 1000),
        attempts: 0,
        usedAt: null,
      }),
    ]);
    return {
      mfaRequired: true,
      mfaToken: token,
      mfaTokenExpiresIn: MFA_TOKEN_TTL,
      methods: ['totp', 'recovery_code'],
    };
  }

  /**
   * The mfa token and a code (or a recovery code): the user, once both are spent. A wrong code
   * counts against the token (void after MFA_TOKEN_ATTEMPTS) and the user's MFA_RATE_LIMIT.
   */
  async verify(mfaToken: string, proof: MfaProof, meta: RequestMeta): Promise<User> {
    if (!LINK_TOKEN.test(mfaToken)) throw tokenInvalid();
    const repo = this.dataSource.getRepository(MfaChallenge);
    const challenge = await repo.findOneBy({ tokenHash: hashLinkToken(mfaToken) });
    const now = this.clock.now();
    if (
      !challenge ||
      challenge.usedAt !== null ||
      challenge.expiresAt <= now ||
      challenge.attempts >= MFA_TOKEN_ATTEMPTS
    ) {
      throw tokenInvalid();
    }
    const factor = await this.factorOf(challenge.userId);
    if (!factor || factor.status !== 'active') throw tokenInvalid();
    this.checkBudget(factor, now);
    const q = this.q;
    const spendChallenge: Statement = {
      sql:
        `UPDATE ${q('mfa_challenges')} SET ${q('used_at')} = ? WHERE ${q('id')} = ? ` +
        `AND ${q('used_at')} IS NULL AND ${q('attempts')} < ? AND ${q('expires_at')} > ?`,
      params: [
        this.at(MfaChallenge, 'usedAt', now),
        challenge.id,
        MFA_TOKEN_ATTEMPTS,
        this.at(MfaChallenge, 'expiresAt', now),
      ],
    };
    let spend: Statement | null;
    if ('code' in proof) {
      const step = this.matchingStep(factor, proof.code);
      spend = step === null ? null : this.spendStep(challenge.userId, step);
    } else {
      spend = {
        sql:
          `UPDATE ${q('mfa_recovery_codes')} SET ${q('used_at')} = ? WHERE ${q('user_id')} = ? ` +
          `AND ${q('code_hash')} = ? AND ${q('used_at')} IS NULL`,
        params: [
          this.at(MfaRecoveryCode, 'usedAt', now),
          challenge.userId,
          sha256(normalizeRecoveryCode(proof.recoveryCode)),
        ],
      };
    }
    // Both spent in one transaction, or neither: the code (or recovery code) and the token.
    const written = spend && (await this.writes.run([spend, spendChallenge], { all: true }));
    if (!written) {
      await this.writes.run([
        {
          sql:
            `UPDATE ${q('mfa_challenges')} SET ${q('attempts')} = ${q('attempts')} + 1 ` +
            `WHERE ${q('id')} = ? AND ${q('used_at')} IS NULL`,
          params: [challenge.id],
        },
      ]);
      return this.fail(challenge.userId, meta);
    }
    const user = await this.users.findOne(challenge.userId);
    if ('recoveryCode' in proof) {
      this.audit.record('auth.mfa.recovery_code_used', { userId: user.id, ...meta });
    }
    return user;
  }

  /**
   * Proves the current session again: the password, and for an enrolled user a code too.
   * Sets its `authTime` (and `amr` to `pwd otp` when a code was given).
   */
  async reauthenticate(
    caller: AuthUser,
    password: string,
    code: string | undefined,
    meta: RequestMeta,
  ): Promise<void> {
    await this.checkPassword(caller, password);
    const now = this.clock.now();
    const statements: Statement[] = [];
    let amr = ['pwd'];
    if (caller.account.mfaEnabled) {
      const factor = await this.factorOf(caller.id);
      if (!factor || factor.status !== 'active') throw codeInvalid();
      if (code === undefined) {
        throw new AppException(
          ErrorCode.MfaCodeInvalid,
          'A code from the authenticator app is required',
        );
      }
      const step = await this.checkTotp(factor, code, meta);
      statements.push(this.spendStep(caller.id, step));
      amr = ['pwd', 'otp'];
    }
    statements.push(this.proveSession(caller.sessionId, amr, now));
    if ((await this.writes.run(statements, { all: true })) === NOT_APPLIED) {
      return this.fail(caller.id, meta);
    }
    this.sessionCache.sessionsChanged([caller.sessionId]);
    this.audit.record('auth.reauthenticated', {
      userId: caller.id,
      sessionId: caller.sessionId,
      amr,
      ...meta,
    });
  }

  /** An admin or operator removes a user's factor (lost phone, no recovery codes left). */
  async reset(userId: string): Promise<boolean> {
    const q = this.q;
    const [deleted] = (await this.writes.run([
      { sql: `DELETE FROM ${q('user_mfa')} WHERE ${q('user_id')} = ?`, params: [userId] },
      ...this.forgetFactor(userId),
    ])) as number[];
    this.sessionCache.usersChanged([userId]);
    return deleted > 0;
  }

  private get q() {
    return (name: string) => this.dataSource.driver.escape(name);
  }

  private at<T extends object>(entity: new () => T, property: keyof T & string, value: Date) {
    return this.writes.value(entity, property, value);
  }

  private factorOf(userId: string): Promise<UserMfa | null> {
    return this.dataSource.getRepository(UserMfa).findOneBy({ userId });
  }

  private seal(secret: string, userId: string): string {
    return this.sealer.seal(Buffer.from(secret, 'utf8'), `totp:${userId}`);
  }

  /** The time step a code matches (now, or one step either side), later than the last used. */
  private matchingStep(factor: UserMfa, code: string): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const secret = this.sealer.open(factor.secretSealed, `totp:${factor.userId}`).toString('utf8');
    const now = this.clock.now().getTime();
    const delta = authenticator
      .clone({ epoch: now, window: 1, step: PERIOD })
      .checkDelta(code, secret);
    if (delta === null) return null;
    const step = Math.floor(now / 1000 / PERIOD) + delta;
    // Not later than the last accepted step: a replay (the conditional UPDATE decides anyway).
    return factor.lastUsedStep !== null && step <= Number(factor.lastUsedStep) ? null : step;
  }

  /** A code on an authenticated route: within the budget, matching, or a counted failure. */
  private async checkTotp(factor: UserMfa, code: string, meta: RequestMeta): Promise<number> {
    this.checkBudget(factor, this.clock.now());
    const step = this.matchingStep(factor, code);
    if (step === null) return this.fail(factor.userId, meta);
    return step;
  }

  private async checkPassword(caller: AuthUser, password: string): Promise<void> {
    const user = await this.users.findOne(caller.id);
    if (!(await this.hasher.compare(password, user.passwordHash))) {
      throw new AppException(ErrorCode.InvalidCurrentPassword, 'Current password is wrong');
    }
  }

  /** Spends a time step: accepted only when later than the last one used. */
  private spendStep(userId: string, step: number): Statement {
    const q = this.q;
    return {
      sql:
        `UPDATE ${q('user_mfa')} SET ${q('last_used_step')} = ?, ${q('failures')} = 0 ` +
        `WHERE ${q('user_id')} = ? AND ${q('status')} = 'active' ` +
        `AND (${q('last_used_step')} IS NULL OR ${q('last_used_step')} < ?)`,
      params: [step, userId, step],
    };
  }

  private proveSession(sessionId: string, amr: string[], now: Date): Statement {
    const q = this.q;
    return {
      sql:
        `UPDATE ${q('sessions')} SET ${q('amr')} = ?, ${q('auth_time')} = ? ` +
        `WHERE ${q('id')} = ? AND ${q('revoked_at')} IS NULL`,
      params: [amr.join(' '), this.at(Session, 'authTime', now), sessionId],
    };
  }

  private setMfaEnabled(userId: string, enabled: boolean, now: Date): Statement {
    const q = this.q;
    return {
      sql: `UPDATE ${q('users')} SET ${q('mfa_enabled')} = ?, ${q('updated_at')} = ? WHERE ${q('id')} = ?`,
      params: [enabled ? 1 : 0, this.at(User, 'updatedAt', now), userId],
    };
  }

  /** With the factor gone: its codes, its open challenges and the user's flag go too. */
  private forgetFactor(userId: string): Statement[] {
    const q = this.q;
    return [
      { sql: `DELETE FROM ${q('mfa_recovery_codes')} WHERE ${q('user_id')} = ?`, params: [userId] },
      { sql: `DELETE FROM ${q('mfa_challenges')} WHERE ${q('user_id')} = ?`, params: [userId] },
      this.setMfaEnabled(userId, false, this.clock.now()),
    ];
  }

  /** 429 while the user's wrong codes of the window are at MFA_RATE_LIMIT. */
  private checkBudget(factor: UserMfa, now: Date): void {
    const { limit, windowMs } = this.config.failureLimit;
    if (factor.failures < limit || !factor.failuresSince) return;
    const endsMs = factor.failuresSince.getTime() + windowMs;
    if (endsMs <= now.getTime()) return;
    const seconds = Math.max(1, Math.ceil((endsMs - now.getTime()) / 1000));
    throw new AppException(
      ErrorCode.TooManyRequests,
      `Too many wrong codes; retry in ${seconds} second${seconds === 1 ? '' : 's'}`,
    ).withRetryAfter(seconds);
  }

  /** Counts a wrong (or replayed) code against the user's budget, then refuses it. */
  private async fail(userId: string, meta: RequestMeta): Promise<never> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - this.config.failureLimit.windowMs);
    const q = this.q;
    const fresh = `${q('failures_since')} IS NULL OR ${q('failures_since')} <= ?`;
    const since = this.at(UserMfa, 'failuresSince', windowStart);
    // MySQL assigns left to right: `failures` reads the old failures_since, as intended.
    await this.writes.run([
      {
        sql:
          `UPDATE ${q('user_mfa')} SET ${q('failures')} = CASE WHEN ${fresh} THEN 1 ` +
          `ELSE ${q('failures')} + 1 END, ${q('failures_since')} = CASE WHEN ${fresh} ` +
          `THEN ? ELSE ${q('failures_since')} END WHERE ${q('user_id')} = ?`,
        params: [since, since, this.at(UserMfa, 'failuresSince', now), userId],
      },
    ]);
    this.audit.record('auth.mfa.failed', { userId, ...meta });
    throw codeInvalid();
  }
}
