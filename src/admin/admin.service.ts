import { Injectable } from '@nestjs/common';
import { AuthUser, RequestMeta } from '../auth/types/auth-user';
import { EmailVerificationService } from '../auth/email-verification.service';
import { MfaService } from '../auth/mfa/mfa.service';
import { TokenService } from '../auth/token.service';
import { AuditLog } from '../common/audit/audit-log.service';
import { AdminUpdateUserDto } from '../users/dto/admin-update-user.dto';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';

const sameRoles = (a: string[], b: string[]) =>
  a.length === b.length && a.every((role) => b.includes(role));

/** Admin actions on other accounts; each change is an audit event naming the admin. */
@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly verifications: EmailVerificationService,
    private readonly mfa: MfaService,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Changes roles, the disabled flag or whether the email is verified; disabling ends all the
   * user's sessions.
   */
  async update(
    actor: AuthUser,
    id: string,
    dto: AdminUpdateUserDto,
    meta: RequestMeta,
  ): Promise<User> {
    const before = await this.users.findOne(id);
    const { emailVerified, ...changes } = dto;
    let user = await this.users.update(id, changes);
    if (emailVerified !== undefined) {
      await this.verifications.setVerified(id, emailVerified);
      user = await this.users.findOne(id);
    }
    if (dto.disabled) await this.tokens.endAllSessions(id, 'user_disabled');
    const who = { actorId: actor.id, userId: id, ...meta };
    if (!sameRoles(before.roles, user.roles)) {
      this.audit.record('admin.user.roles_changed', {
        ...who,
        previousRoles: before.roles,
        roles: user.roles,
      });
    }
    if (before.disabled !== user.disabled) {
      this.audit.record(user.disabled ? 'admin.user.disabled' : 'admin.user.enabled', who);
    }
    if ((before.emailVerifiedAt !== null) !== (user.emailVerifiedAt !== null)) {
      this.audit.record(
        user.emailVerifiedAt ? 'admin.user.email_verified' : 'admin.user.email_unverified',
        who,
      );
    }
    return user;
  }

  /** Removes a user's second factor; audited when there was one. */
  async resetMfa(actor: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    await this.users.findOne(id);
    if (await this.mfa.reset(id)) {
      this.audit.record('admin.user.mfa_reset', { actorId: actor.id, userId: id, ...meta });
    }
  }

  /** Ends every session of a user. */
  async removeSessions(actor: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    await this.users.findOne(id);
    await this.tokens.endAllSessions(id, 'admin');
    this.audit.record('admin.user.sessions_revoked', { actorId: actor.id, userId: id, ...meta });
  }
}
