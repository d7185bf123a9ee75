import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
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
import { OutboxMail } from '../mail/outbox-mail.entity';
import { OutboxService } from '../mail/outbox.service';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { PasswordResetToken } from './entities/password-reset-token.entity';
import { hashLinkToken, humanDuration, LINK_TOKEN, newLinkToken } from './mail-link';
import { PasswordHasher } from './password/password-hasher.service';
import { TokenService } from './token.service';
import { RequestMeta } from './types/auth-user';

const invalid = () =>
  new AppException(ErrorCode.ResetTokenInvalid, 'Reset token is invalid or expired');

/**
 * Password reset by mail. `forgot` answers the same, in about the same time, whether or not
 * the account exists: for a known, enabled account it voids the older links and writes the new
 * token's hash and the mail in one transaction (the outbox sends it later); for any other
 * address it renders the same mail and runs the same kind of transaction, which matches no
 * row, and sends nothing. The answer does not wait for either transaction. `reset` is decided by one conditional UPDATE (used once, not voided,
 * not expired), which also writes the new password hash and voids the user's other links in
 * the same transaction; then every session of the user ends.
 */
@Injectable()
export class PasswordResetService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PasswordResetService.name);
  /** forgot's writes still running (awaited at shutdown). */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly writes: AtomicWrites,
    private readonly templates: MailTemplates,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /**
   * `rateLimited`: the address's MAIL_RATE_LIMIT is spent; the request takes the unknown
   * address's path (the same answer and work, no mail), so the limit tells nothing either.
   */
  async forgot(email: string, meta: RequestMeta, rateLimited = false): Promise<void> {
    await this.request(email, meta, rateLimited);
  }

  /**
   * `forgot` for the command line (`send-reset`), which must not end before the write did:
   * resolves once the token and the mail committed, with the outbox row's id (null when no
   * enabled account has the email: nothing written), and rejects when the write failed.
   */
  async forgotAndWait(email: string, meta: RequestMeta): Promise<string | null> {
    const { written } = await this.request(email, meta);
    return written;
  }

  /** forgot's work; `written` settles when the transaction did (nobody else waits for it). */
  private async request(
    email: string,
    meta: RequestMeta,
    rateLimited = false,
  ): Promise<{ written: Promise<string | null> }> {
    const user = await this.users.findByEmail(email);
    const known = user !== null && !user.disabled && !rateLimited;
    const now = this.clock.now();
    const token = newLinkToken();
    const link = `${this.config.appUrl}/reset-password?token=${token}`;
    const mail = this.templates.render('password_reset', {
      email,
      link,
      validFor: humanDuration(this.config.passwordResetTtl),
    });
    // An unknown email: the same transaction of three statements, each matching no row (a user
    // id and row ids that cannot exist): about the same cost, nothing written, nothing sent.
    const userId = known ? user.id : randomUUID();
    const statements: Statement[] = [this.voidOthers(userId, now)];
    let mailId: string | null = null;
    if (known) {
      const outboxRow = this.outbox.row(
        {
          kind: 'password_reset',
          to: user.email,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        },
        now,
      );
      mailId = outboxRow.id;
      statements.push(
        this.writes.insert(PasswordResetToken, {
          id: randomUUID(),
          userId,
          tokenHash: hashLinkToken(token),
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.config.passwordResetTtl * 1000),
          usedAt: null,
          voidedAt: null,
        }),
        this.writes.insert(OutboxMail, outboxRow),
      );
    }
    if (!known) {
      // The known path's two INSERTs, as two statements of the same round trips that match
      // nothing: point UPDATEs of ids that cannot exist.
      const q = (name: string) => this.dataSource.driver.escape(name);
      for (const table of ['password_reset_tokens', 'mail_outbox']) {
        statements.push({
          sql: `UPDATE ${q(table)} SET ${q('id')} = ${q('id')} WHERE ${q('id')} = ?`,
          params: [randomUUID()],
        });
      }
    }
    // The answer is 202 whatever happens next, so it does not wait for the transaction: a
    // known address's COMMIT (a durable write: an fsync) would otherwise take measurably longer
    // than an unknown one's, which writes nothing. A failure is logged; the user asks again.
    const written = this.writes.run(statements).then(() => {
      if (mailId) this.outbox.kick();
      return mailId;
    });
    const write = written.then(
      () => undefined,
      (error: Error) => this.logger.error(`password reset request not stored: ${error.message}`),
    );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
    this.audit.record('auth.password_reset.requested', {
      userId: known ? userId : null,
      ...(rateLimited && { rateLimited: true as const }),
      ...meta,
    });
    return { written };
  }

  async reset(token: string, password: string, meta: RequestMeta): Promise<void> {
    if (!LINK_TOKEN.test(token)) throw invalid();
    const tokenHash = hashLinkToken(token);
    const row = await this.dataSource.getRepository(PasswordResetToken).findOneBy({ tokenHash });
    const now = this.clock.now();
    const usable = (r: PasswordResetToken | null): r is PasswordResetToken =>
      r !== null && r.usedAt === null && r.voidedAt === null && r.expiresAt > now;
    if (!usable(row)) throw invalid();
    // bcrypt before the transaction (worker pool, ~0.1-0.2 s): no row lock is held meanwhile.
    const passwordHash = await this.hasher.hash(password);
    const q = (name: string) => this.dataSource.driver.escape(name);
    const at = this.writes.value(PasswordResetToken, 'usedAt', now);
    const written = await this.writes.run(
      [
        {
          sql:
            `UPDATE ${q('password_reset_tokens')} SET ${q('used_at')} = ? WHERE ${q('id')} = ? ` +
            `AND ${q('used_at')} IS NULL AND ${q('voided_at')} IS NULL AND ${q('expires_at')} > ?`,
          params: [at, row.id, this.writes.value(PasswordResetToken, 'expiresAt', now)],
        },
        {
          sql: `UPDATE ${q('users')} SET ${q('password_hash')} = ?, ${q('updated_at')} = ? WHERE ${q('id')} = ?`,
          params: [passwordHash, this.writes.value(User, 'updatedAt', now), row.userId],
        },
        this.voidOthers(row.userId, now),
      ],
      { conditional: true },
    );
    // Used meanwhile by a concurrent reset, voided or expired: the same answer as a forgery.
    if (written === NOT_APPLIED) throw invalid();
    await this.tokens.endAllSessions(row.userId, 'password_reset');
    this.audit.record('auth.password_reset.completed', { userId: row.userId, ...meta });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** Voids the user's outstanding links (a newer request, a reset, a password change). */
  async voidAll(userId: string): Promise<void> {
    await this.writes.run([this.voidOthers(userId, this.clock.now())]);
  }

  private voidOthers(userId: string, now: Date): Statement {
    const q = (name: string) => this.dataSource.driver.escape(name);
    return {
      sql:
        `UPDATE ${q('password_reset_tokens')} SET ${q('voided_at')} = ? WHERE ${q('user_id')} = ? ` +
        `AND ${q('used_at')} IS NULL AND ${q('voided_at')} IS NULL`,
      params: [this.writes.value(PasswordResetToken, 'voidedAt', now), userId],
    };
  }
}
