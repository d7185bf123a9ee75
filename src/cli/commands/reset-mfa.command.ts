import { Injectable } from '@nestjs/common';
import { MfaService } from '../../auth/mfa/mfa.service';
import { AuditLog } from '../../common/audit/audit-log.service';
import { UsersService } from '../../users/users.service';
import { findUserByEmail, OPERATOR_CLIENT, operatorActorId } from '../operator';

/**
 * `reset-mfa <email>`: what `DELETE /admin/users/:id/mfa` does (event
 * `admin.user.mfa_reset`): the TOTP factor, its recovery codes and open mfa tokens are removed,
 * so the user logs in with the password alone again (a lost device, no recovery code left).
 */
@Injectable()
export class ResetMfaCommand {
  constructor(
    private readonly users: UsersService,
    private readonly mfa: MfaService,
    private readonly audit: AuditLog,
  ) {}

  async run(email: string): Promise<string> {
    const user = await findUserByEmail(this.users, email);
    if (!(await this.mfa.reset(user.id))) {
      return `${user.email} (id ${user.id}) has no second factor: nothing to reset`;
    }
    this.audit.record('admin.user.mfa_reset', {
      actorId: operatorActorId(),
      userId: user.id,
      ...OPERATOR_CLIENT,
    });
    return `removed the second factor of ${user.email} (id ${user.id}): login asks for the password only`;
  }
}
