import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { validateBody } from '../../common/pipes/validate-body';
import { RefreshTokenDto } from '../dto/refresh-token.dto';

/**
 * Verifies the presented refresh token (body or cookie) for refresh and logout. The body is
 * validated first, so a malformed request is a 400 whatever the token.
 */
@Injectable()
export class JwtRefreshGuard extends AuthGuard('jwt-refresh') {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    await validateBody(context.switchToHttp().getRequest<FastifyRequest>(), RefreshTokenDto);
    return (await super.canActivate(context)) as boolean;
  }

  handleRequest<TUser>(err: unknown, user: TUser, info: unknown): TUser {
    if (err) throw err as Error;
    if (user) return user;
    if ((info as { message?: string } | undefined)?.message === 'No auth token') {
      throw new AppException(
        ErrorCode.RefreshTokenMissing,
        'Refresh token required in body or cookie',
      );
    }
    throw new AppException(ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
  }
}
