import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { Clock } from '../common/clock';
import { AppException, ErrorCode } from '../common/errors';
import { mailConfig } from '../config/mail.config';
import { AtomicWrites, NOT_APPLIED, Statement } from '../database/atomic-writes';
import { MailTemplates } from '../mail/mail-templates';
import { SessionCache } from '../session-cache/session-cache.service';
import { OutboxMail } from '../mail/outbox-mail.entity';
import { OutboxService } from '../mail/outbox.service';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { EmailVerificationToken } from './entities/email-verification-token.entity';
import { hashLinkToken, humanDuration, LINK_TOKEN, newLinkToken } from './mail-link';
import { AuthUser, RequestMeta } from './types/auth-user';

const invalid = () =>
  new AppException(ErrorCode.VerificationTokenInvalid, 'Verification token is invalid or expired');

/**
 * Email verification. `send` voids the user's older links and writes the new link's hash and
 * its mail in one transaction (the outbox sends it later: no request waits for SMTP). `verify`
 * is decided by one conditional UPDATE (used once, not voided, not expired), which marks the
 * address verified in the same transaction, and only while the account still has the address
 * the link was sent to.
 */
@Injectable()
export class EmailVerificationService {
  private readonly logger = new Logger(EmailVerificationService.name);

  constructor(
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly writes: AtomicWrites,
    private readonly templates: MailTemplates,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly sessionCache: SessionCache,
  ) {}

  /** Queues a verification mail for the user's address (after register, or a resend). */
  async send(user: User): Promise<void> {
    const now = this.clock.now();
    const token = newLinkToken();
    const mail = this.templates.render('email_verification', {
      email: user.email,
      link: `${this.config.appUrl}/verify-email?token=${token}`,
      validFor: humanDuration(this.config.emailVerifyTtl),
    });
    const outboxRow = this.outbox.row(
      {
        kind: 'email_verification',
        to: user.email,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      },
      now,
    );
    await this.writes.run([
      this.voidOthers(user.id, now),
      this.writes.insert(EmailVerificationToken, {
        id: randomUUID(),
        userId: user.id,
        email: user.email,
        tokenHash: hashLinkToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.emailVerifyTtl * 1000),
        usedAt: null,
        voidedAt: null,
      }),
      this.writes.insert(OutboxMail, outboxRow),
    ]);
    this.outbox.kick();
  }

  /**
   * After register: a failure to queue the mail must not fail the registration (the account
   * exists; the user can ask for another mail with resend), so it is logged.
   */
  async sendAfterRegister(user: User): Promise<void> {
    try {
      await this.send(user);
    } catch (error) {
      this.logger.error(`verification mail for user ${user.id} not queued: ${String(error)}`);
    }
  }

  /** POST /auth/email/resend: a new link; 409 when the address is verified already. */
  async resend(caller: AuthUser, meta: RequestMeta): Promise<void> {
    const user = await this.users.findOne(caller.id);
    if (user.emailVerifiedAt) {
      throw new AppException(ErrorCode.EmailAlreadyVerified, 'Email address is already verified');
    }
    await this.send(user);
    this.audit.record('auth.email_verification.requested', {
      userId: user.id,
      sessionId: caller.sessionId,
      ...meta,
    });
  }

  async verify(token: string, meta: RequestMeta): Promise<void> {
    if (!LINK_TOKEN.test(token)) throw invalid();
    const row = await this.dataSource
      .getRepository(EmailVerificationToken)
      .findOneBy({ tokenHash: hashLinkToken(token) });
    const now = this.clock.now();
    if (!row || row.usedAt !== null || row.voidedAt !== null || row.expiresAt <= now) {
      throw invalid();
    }
    const q = (name: string) => this.dataSource.driver.escape(name);
    const written = await this.writes.run(
      [
        {
          sql:
            `UPDATE ${q('email_verification_tokens')} SET ${q('used_at')} = ? ` +
            `WHERE ${q('id')} = ? AND ${q('used_at')} IS NULL AND ${q('voided_at')} IS NULL ` +
            `AND ${q('expires_at')} > ?`,
          params: [
            this.writes.value(EmailVerificationToken, 'usedAt', now),
            row.id,
            this.writes.value(EmailVerificationToken, 'expiresAt', now),
          ],
        },
        // The address the link was sent to must still be the account's; a verified one keeps
        // its first verification time.
        {
          sql:
            `UPDATE ${q('users')} SET ${q('email_verified_at')} = ?, ${q('updated_at')} = ? ` +
            `WHERE ${q('id')} = ? AND ${q('email')} = ? AND ${q('email_verified_at')} IS NULL`,
          params: [
            this.writes.value(User, 'emailVerifiedAt', now),
            this.writes.value(User, 'updatedAt', now),
            row.userId,
            row.email,
          ],
        },
        this.voidOthers(row.userId, now),
      ],
      { conditional: true },
    );
    // Used meanwhile by a concurrent request, voided or expired: the same answer as a forgery.
    if (written === NOT_APPLIED) throw invalid();
    // emailVerified is part of what the access check answers with.
    this.sessionCache.usersChanged([row.userId]);
    this.audit.record('auth.email_verification.completed', { userId: row.userId, ...meta });
  }

  /** An admin marks the address verified (or not): the outstanding links are voided. */
  async setVerified(userId: string, verified: boolean): Promise<void> {
    const now = this.clock.now();
    const q = (name: string) => this.dataSource.driver.escape(name);
    await this.writes.run([
      {
        sql:
          `UPDATE ${q('users')} SET ${q('email_verified_at')} = ` +
          (verified ? `COALESCE(${q('email_verified_at')}, ?)` : '?') +
          `, ${q('updated_at')} = ? WHERE ${q('id')} = ?`,
        params: [
          verified ? this.writes.value(User, 'emailVerifiedAt', now) : null,
          this.writes.value(User, 'updatedAt', now),
          userId,
        ],
      },
      this.voidOthers(userId, now),
    ]);
    this.sessionCache.usersChanged([userId]);
  }

  private voidOthers(userId: string, now: Date): Statement {
    const q = (name: string) => this.dataSource.driver.escape(name);
    return {
      sql:
        `UPDATE ${q('email_verification_tokens')} SET ${q('voided_at')} = ? ` +
        `WHERE ${q('user_id')} = ? AND ${q('used_at')} IS NULL AND ${q('voided_at')} IS NULL`,
      params: [this.writes.value(EmailVerificationToken, 'voidedAt', now), userId],
    };
  }
}
