import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-jwt';
import { AppException, ErrorCode } from '../../common/errors';
import { JwtKeys, REFRESH_TOKEN_TYP } from '../jwt-keys';
import { PresentedRefreshToken } from '../types/auth-user';
import { DecodedJwt } from './jwt.strategy';
import { extractRefreshToken } from './refresh-token.extractor';

/**
 * Refresh tokens (body or cookie): signature with the refresh key, HS256, iss, aud and
 * `typ: rt+jwt`. Expiry is judged by TokenService against the database row (idle and
 * absolute), so that logout still works with an expired token.
 */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(Strategy, 'jwt-refresh') {
  constructor(keys: JwtKeys) {
    super({
      jwtFromRequest: (request: unknown) => extractRefreshToken(request as FastifyRequest),
      secretOrKey: keys.refresh as unknown as string,
      algorithms: ['HS256'],
      issuer: keys.issuer,
      audience: keys.audience,
      ignoreExpiration: true,
      passReqToCallback: true,
      jsonWebTokenOptions: { complete: true },
    });
  }

  validate(request: FastifyRequest, decoded: DecodedJwt): PresentedRefreshToken {
    const { header, payload } = decoded;
    const { sub, sid, jti, exp } = payload;
    if (
      header.typ !== REFRESH_TOKEN_TYP ||
      header.crit !== undefined || // RFC 7515 §4.1.11: no extension is understood here
      typeof exp !== 'number' ||
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof jti !== 'string'
    ) {
      throw new AppException(ErrorCode.RefreshTokenInvalid, 'Refresh token is invalid');
    }
    return { token: extractRefreshToken(request) as string, sub, sid, jti, exp };
  }
}
