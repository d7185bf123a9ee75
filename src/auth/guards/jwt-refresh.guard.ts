import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { validateBody } from '../../common/pipes/validate-body';
import { authConfig } from '../../config/auth.config';
import { RefreshTokenDto } from '../dto/refresh-token.dto';
import { CLEARS_COOKIE, clearRefreshCookie } from '../refresh-cookie.interceptor';

/**
 * No body, `{}` or `{"refreshToken": "…"}`: what every client sends, valid as a RefreshTokenDto
 * without class-validator (~4 % of a refresh). Anything else goes through validateBody, so its
 * answers (400 `validation_failed` and their messages) stay the same.
 */
function isCommonBody(body: unknown): body is { refreshToken?: string } | undefined {
  if (body === undefined) return true;
  if (
    body === null ||
    typeof body !== 'object' ||
    Object.getPrototypeOf(body) !== Object.prototype
  ) {
    return false;
  }
  const keys = Object.keys(body);
  return (
    keys.length === 0 ||
    (keys.length === 1 &&
      keys[0] === 'refreshToken' &&
      typeof (body as { refreshToken: unknown }).refreshToken === 'string')
  );
}

/**
 * Verifies the presented refresh token (body or cookie) for refresh and logout. The body is
 * validated first, so a malformed request is a 400 whatever the token.
 */
@Injectable()
export class JwtRefreshGuard extends AuthGuard('jwt-refresh') {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly reflector: Reflector,
  ) {
    super();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    try {
      const request = http.getRequest<FastifyRequest>();
      if (isCommonBody(request.body))
        request.body = Object.assign(new RefreshTokenDto(), request.body);
      else await validateBody(request, RefreshTokenDto);
      return (await super.canActivate(context)) as boolean;
    } catch (error) {
      if (this.reflector.get<boolean>(CLEARS_COOKIE, context.getHandler())) {
        clearRefreshCookie(http.getResponse<FastifyReply>(), this.config.secureCookie);
      }
      throw error;
    }
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
