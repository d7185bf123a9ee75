import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { RefreshTokenDto } from '../dto/refresh-token.dto';

export const REFRESH_COOKIE = 'refresh_token';
const MAX_TOKEN_LENGTH = 4096;

/**
 * The refresh token from the JSON body (`refreshToken`) or else the `refresh_token` cookie.
 * JwtRefreshGuard has already validated the body as a RefreshTokenDto (400 on a wrong type).
 */
export function extractRefreshToken(request: FastifyRequest): string | null {
  const body = request.body as RefreshTokenDto | undefined;
  const token = body?.refreshToken || request.cookies?.[REFRESH_COOKIE] || null;
  if (token && token.length > MAX_TOKEN_LENGTH) {
    throw new AppException(ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
  }
  return token;
}
