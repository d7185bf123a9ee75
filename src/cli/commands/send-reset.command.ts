import { Injectable } from '@nestjs/common';
import { PasswordResetService } from '../../auth/password-reset.service';
import { UsersService } from '../../users/users.service';
import { CliError } from '../cli-error';
import { findUserByEmail, OPERATOR_CLIENT } from '../operator';

/**
 * `send-reset <email>`: what `POST /api/auth/password/forgot` does for that address (the older
 * links voided, a new token's hash and its mail written in one transaction, audited as
 * auth.password_reset.requested), waiting for that write. The mail goes into the outbox only:
 * this process runs no sender (MailModule.forRoot({ sender: false })); a running server sends
 * it within MAIL_POLL_INTERVAL. The operator is trusted, so unlike the route it says when no
 * enabled account has the address. The link is never printed: it exists in the mail alone.
 */
@Injectable()
export class SendResetCommand {
  constructor(
    private readonly users: UsersService,
    private readonly resets: PasswordResetService,
  ) {}

  async run(email: string): Promise<string> {
    const user = await findUserByEmail(this.users, email);
    if (user.disabled) {
      throw new CliError(`account ${user.email} is disabled; no reset mail written`);
    }
    const mailId = await this.resets.forgotAndWait(user.email, OPERATOR_CLIENT);
    // Disabled (or its address changed) between the look above and the write.
    if (mailId === null) {
      throw new CliError(`no enabled account with email ${user.email}; no reset mail written`);
    }
    return [
      `queued a password reset mail to ${user.email} (id ${user.id}); outbox mail ${mailId}`,
      'Older reset links of this account no longer work. This command sends no mail itself:',
      'a running server sends it from the outbox (see `outbox` for mails not sent yet).',
    ].join('\n');
  }
}
