import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  HttpCode,
  Inject,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { ApiNoContentResponse, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { map, Observable, tap } from 'rxjs';
import { authConfig } from '../config/auth.config';
import { TokenPairDto } from './dto/token-pair.dto';
import { REFRESH_COOKIE } from './strategies/refresh-token.extractor';
import { TokenPair } from './types/token-pair';

const COOKIE_PATH = '/api/auth';
export const CLEARS_COOKIE = 'clearsRefreshCookie';

const cookieOptions = (secure: boolean) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  secure,
  path: COOKIE_PATH,
});

/**
 * Logout clears the cookie even when it fails (a forged, expired or unknown token): the
 * cookie is HttpOnly, so the browser cannot drop a useless one by itself.
 */
export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
  reply.header('Cache-Control', 'no-store');
  reply.clearCookie(REFRESH_COOKIE, cookieOptions(secure));
}

/**
 * Token responses are never cached and carry the refresh token as an HttpOnly, SameSite=Strict
 * cookie scoped to /api/auth (Secure in production); routes that end sessions clear it.
 */
@Injectable()
export class RefreshCookieInterceptor implements NestInterceptor {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const secure = this.config.secureCookie;
    if (this.reflector.get<boolean>(CLEARS_COOKIE, context.getHandler())) {
      const clear = () => clearRefreshCookie(reply, secure);
      return next.handle().pipe(tap({ next: clear, error: clear }));
    }
    return next.handle().pipe(
      map((result: unknown) => {
        const pair = result as TokenPair;
        reply.header('Cache-Control', 'no-store');
        reply.header('Pragma', 'no-cache');
        reply.setCookie(REFRESH_COOKIE, pair.refreshToken, {
          ...cookieOptions(secure),
          maxAge: pair.refreshExpiresIn,
        });
        return result;
      }),
    );
  }
}

/** The handler returns a token pair: status, no-store headers, the cookie, Swagger. */
export const IssuesTokens = (status: 200 | 201) =>
  applyDecorators(
    HttpCode(status),
    UseInterceptors(RefreshCookieInterceptor),
    ApiResponse({ status, type: TokenPairDto }),
  );

/** The handler ends a session: 204 and the refresh cookie cleared. */
export const ClearsRefreshCookie = (description: string) =>
  applyDecorators(
    HttpCode(204),
    SetMetadata(CLEARS_COOKIE, true),
    UseInterceptors(RefreshCookieInterceptor),
    ApiNoContentResponse({ description }),
  );
