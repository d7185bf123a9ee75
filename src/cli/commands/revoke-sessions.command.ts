import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { Session } from '../../auth/entities/session.entity';
import { TokenService } from '../../auth/token.service';
import { AuditLog } from '../../common/audit/audit-log.service';
import { Clock } from '../../common/clock';
import { UsersService } from '../../users/users.service';
import { findUserByEmail, OPERATOR_CLIENT, operatorActorId } from '../operator';

/**
 * `revoke-sessions <email>`: what `DELETE /admin/users/:id/sessions` does (reason `admin`,
 * event `admin.user.sessions_revoked`). The access-token check reads the session on every
 * request, so a running server refuses the user's tokens from the next request on.
 */
@Injectable()
export class RevokeSessionsCommand {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async run(email: string): Promise<string> {
    const user = await findUserByEmail(this.users, email);
    // For the report only: a login between this count and the update is ended too, uncounted.
    const active = await this.sessions.countBy({
      userId: user.id,
      revokedAt: IsNull(),
      refreshExpiresAt: MoreThan(this.clock.now()),
    });
    await this.tokens.endAllSessions(user.id, 'admin');
    this.audit.record('admin.user.sessions_revoked', {
      actorId: operatorActorId(),
      userId: user.id,
      ...OPERATOR_CLIENT,
    });
    return `ended ${active} active session(s) of ${user.email} (id ${user.id})`;
  }
}
