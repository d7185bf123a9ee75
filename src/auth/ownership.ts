import { AppException, ErrorCode } from '../common/errors';
import { Role } from '../users/enums/role.enum';
import { AuthUser } from './types/auth-user';

/** True when the caller owns the resource or is an admin. */
export function canModify(ownerId: string, user: Pick<AuthUser, 'id' | 'roles'>): boolean {
  return ownerId === user.id || user.roles.includes(Role.Admin);
}

/** Throws 403 `forbidden` unless the caller owns the resource or is an admin. */
export function assertOwnerOrAdmin(ownerId: string, user: Pick<AuthUser, 'id' | 'roles'>): void {
  if (!canModify(ownerId, user)) {
    throw new AppException(ErrorCode.Forbidden, 'Only the author or an admin may do this');
  }
}
