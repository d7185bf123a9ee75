import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { RefreshTokenDto } from '../dto/refresh-token.dto';

export const REFRESH_COOKIE = 'refresh_token';
const MAX_TOKEN_LENGTH = 4096;

/** The presented refresh token and where it came from: the JSON body wins over the cookie. */
export function presentedRefreshToken(
  request: FastifyRequest,
): { token: string; source: 'body' | 'cookie' } | null {
  const fromBody = (request.body as RefreshTokenDto | undefined)?.refreshToken;
  if (fromBody) return { token: fromBody, source: 'body' };
  const fromCookie = request.cookies?.[REFRESH_COOKIE];
  return fromCookie ? { token: fromCookie, source: 'cookie' } : null;
}

/**
 * The refresh token from the JSON body (`refreshToken`) or else the `refresh_token` cookie.
 * JwtRefreshGuard has already validated the body as a RefreshTokenDto (400 on a wrong type).
 */
export function extractRefreshToken(request: FastifyRequest): string | null {
  const token = presentedRefreshToken(request)?.token ?? null;
  if (token && token.length > MAX_TOKEN_LENGTH) {
    throw new AppException(ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
  }
  return token;
}
