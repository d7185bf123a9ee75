import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AppException, ErrorCode } from '../../common/errors';

/** Verifies the presented refresh token (body or cookie) for refresh and logout. */
@Injectable()
export class JwtRefreshGuard extends AuthGuard('jwt-refresh') {
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
