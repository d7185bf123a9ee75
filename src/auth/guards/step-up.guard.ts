import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Clock } from '../../common/clock';
import { AppException, ErrorCode } from '../../common/errors';
import { STEP_UP_KEY, StepUp } from '../decorators/auth.decorator';
import { AuthUser } from '../types/auth-user';

/**
 * Global guard (APP_GUARD, after JwtAuthGuard and RolesGuard): enforces `@Auth({ mfa })` and
 * `@Auth({ maxAge })` from the session as the database has it (so reauthenticate counts at
 * once, without a new access token).
 */
@Injectable()
export class StepUpGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clock: Clock,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const step = this.reflector.getAllAndOverride<StepUp | undefined>(STEP_UP_KEY, targets);
    if (!step) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!user) return true; // a public route: nothing to step up
    if (step.mfa && user.account.mfaEnabled && !user.amr.includes('otp')) {
      throw new AppException(
        ErrorCode.MfaRequired,
        'This action needs a session proven with a second factor: POST /api/auth/reauthenticate with a code',
        undefined,
        true,
      );
    }
    if (
      step.maxAge !== null &&
      user.authTime.getTime() + step.maxAge * 1000 <= this.clock.now().getTime()
    ) {
      throw new AppException(
        ErrorCode.ReauthenticationRequired,
        'This action needs a recent login: POST /api/auth/reauthenticate',
        undefined,
        true,
      );
    }
    return true;
  }
}
