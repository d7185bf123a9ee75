import { userInfo } from 'node:os';
import { normalizeEmail } from '../auth/dto/email.transform';
import { RequestMeta } from '../auth/types/auth-user';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { CliError } from './cli-error';

/** Audit events from the command line have no HTTP client behind them. */
export const OPERATOR_CLIENT: RequestMeta = { ip: null, userAgent: null };

/**
 * The `actorId` of audit events from the command line: `cli:<OS user>`, where an HTTP admin
 * action has the admin's user id, so the log still says who did it.
 */
export function operatorActorId(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // A container user without a passwd entry.
    return 'cli';
  }
}

/** The account with this email (normalised like a login's), or a CliError. */
export async function findUserByEmail(users: UsersService, email: string): Promise<User> {
  const normalized = normalizeEmail(email);
  const user = await users.findByEmail(normalized);
  if (!user) throw new CliError(`no account with email ${normalized}`);
  return user;
}
