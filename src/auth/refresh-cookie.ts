import type { FastifyReply } from 'fastify';
import { REFRESH_COOKIE } from './strategies/refresh-token.extractor';
import { TokenPair } from './types/token-pair';

const COOKIE_PATH = '/api/auth';

/** Token responses are never cached, and carry the refresh token as an HttpOnly cookie too. */
export function sendTokenPair(reply: FastifyReply, pair: TokenPair, secure: boolean): TokenPair {
  reply.header('Cache-Control', 'no-store');
  reply.header('Pragma', 'no-cache');
  reply.setCookie(REFRESH_COOKIE, pair.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: COOKIE_PATH,
    maxAge: pair.refreshExpiresIn,
  });
  return pair;
}

export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
  reply.header('Cache-Control', 'no-store');
  reply.clearCookie(REFRESH_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: COOKIE_PATH,
  });
}
