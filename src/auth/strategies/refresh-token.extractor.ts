import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';

export const REFRESH_COOKIE = 'refresh_token';
const MAX_TOKEN_LENGTH = 4096;

/**
 * The refresh token from the JSON body (`refreshToken`) or else the `refresh_token` cookie.
 * A body field of the wrong type is a client mistake (400), not a missing token.
 */
export function extractRefreshToken(request: FastifyRequest): string | null {
  const body = request.body as Record<string, unknown> | undefined | null;
  const fromBody = body && typeof body === 'object' ? body.refreshToken : undefined;
  if (fromBody !== undefined && fromBody !== null && typeof fromBody !== 'string') {
    throw new AppException(ErrorCode.ValidationFailed, ['refreshToken must be a string']);
  }
  const token = fromBody || request.cookies?.[REFRESH_COOKIE] || null;
  if (token && token.length > MAX_TOKEN_LENGTH) {
    throw new AppException(ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
  }
  return token;
}
