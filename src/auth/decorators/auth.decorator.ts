import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from '../../common/swagger/api-errors.decorator';
import { ErrorCode } from '../../common/errors';
import { Role } from '../../users/enums/role.enum';
import { Roles } from './roles.decorator';

export const ACCESS_TOKEN_ERRORS = [
  ErrorCode.TokenMissing,
  ErrorCode.TokenInvalid,
  ErrorCode.TokenExpired,
  ErrorCode.TokenRevoked,
  ErrorCode.UserDisabled,
];

/**
 * Documents a bearer-protected route (or controller) in one line, and with roles also
 * requires them: `@Auth()`, `@Auth(Role.Admin)`. Authentication itself is global.
 */
export function Auth(...roles: Role[]) {
  const decorators = [
    ApiBearerAuth(),
    ApiErrors(...ACCESS_TOKEN_ERRORS, ...(roles.length ? [ErrorCode.Forbidden] : [])),
  ];
  return applyDecorators(...(roles.length ? [Roles(...roles)] : []), ...decorators);
}
