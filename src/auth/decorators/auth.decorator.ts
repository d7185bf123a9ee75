import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from '../../common/swagger/api-errors.decorator';
import { ErrorCode } from '../../common/errors';
import { parseDuration } from '../../config/duration';
import { Role } from '../../users/enums/role.enum';
import { Roles } from './roles.decorator';

export const ACCESS_TOKEN_ERRORS = [
  ErrorCode.TokenMissing,
  ErrorCode.TokenInvalid,
  ErrorCode.TokenExpired,
  ErrorCode.TokenRevoked,
  ErrorCode.UserDisabled,
];

/** What a route asks of the session beyond a valid token (read by the global StepUpGuard). */
export interface AuthOptions {
  /**
   * The session must have been proven with a second factor (`amr` has `otp`) when the user
   * has one enrolled: else 401 `mfa_required`. Users without MFA pass, as before.
   */
  mfa?: boolean;
  /** The session must have been proven (login or reauthenticate) this recently: '5m', '1h'. */
  maxAge?: string;
}

export const STEP_UP_KEY = 'stepUp';

export interface StepUp {
  mfa: boolean;
  /** Seconds, or null for no limit. */
  maxAge: number | null;
}

function stepUp(options: AuthOptions): StepUp {
  const maxAge = options.maxAge === undefined ? null : parseDuration(options.maxAge);
  if (maxAge === 0 || (options.maxAge !== undefined && maxAge === null)) {
    throw new Error(`@Auth({ maxAge: '${options.maxAge}' }): not a duration like 5m`);
  }
  return { mfa: options.mfa ?? false, maxAge };
}

/**
 * Documents a bearer-protected route (or controller) in one line, and with roles also
 * requires them: `@Auth()`, `@Auth(Role.Admin)`. Options ask for a stronger session:
 * `@Auth({ mfa: true })`, `@Auth(Role.Admin, { maxAge: '5m' })`. Authentication itself is
 * global.
 */
export function Auth(...args: (Role | AuthOptions)[]) {
  const roles = args.filter((arg): arg is Role => typeof arg === 'string');
  const options = Object.assign(
    {},
    ...args.filter((arg) => typeof arg === 'object'),
  ) as AuthOptions;
  const step = stepUp(options);
  const stepUpErrors = [
    ...(step.mfa ? [ErrorCode.MfaRequired] : []),
    ...(step.maxAge !== null ? [ErrorCode.ReauthenticationRequired] : []),
  ];
  const decorators = [
    ApiBearerAuth(),
    ApiErrors(
      ...ACCESS_TOKEN_ERRORS,
      ...stepUpErrors,
      ...(roles.length ? [ErrorCode.Forbidden] : []),
    ),
  ];
  return applyDecorators(
    ...(roles.length ? [Roles(...roles)] : []),
    ...(stepUpErrors.length ? [SetMetadata(STEP_UP_KEY, step)] : []),
    ...decorators,
  );
}
