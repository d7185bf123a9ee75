import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppException, ErrorCode } from '../../common/errors';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';

/**
 * Global guard (APP_GUARD): every route needs a valid access token unless it is `@Public()`.
 * Maps passport-jwt's failures to the contract's codes.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  handleRequest<TUser>(err: unknown, user: TUser, info: unknown): TUser {
    if (err) throw err as Error;
    if (user) return user;
    const failure = info as { name?: string; message?: string } | undefined;
    if (failure?.name === 'TokenExpiredError') {
      throw new AppException(ErrorCode.TokenExpired, 'Access token has expired', 401, true);
    }
    if (!failure || failure.message === 'No auth token') {
      throw new AppException(ErrorCode.TokenMissing, 'Bearer access token required', 401, true);
    }
    throw new AppException(ErrorCode.TokenInvalid, 'Access token is invalid', 401, true);
  }
}
