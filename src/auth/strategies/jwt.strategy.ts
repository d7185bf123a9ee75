import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppException, ErrorCode } from '../../common/errors';
import { ACCESS_TOKEN_TYP, JwtKeys } from '../jwt-keys';
import { TokenService } from '../token.service';
import { AuthUser } from '../types/auth-user';

export interface DecodedJwt {
  header: { alg: string; typ?: string; crit?: unknown };
  payload: { sub?: unknown; sid?: unknown; jti?: unknown; exp?: unknown };
}

/**
 * Access tokens: `Authorization: Bearer` only (never query string or cookie), HS256 pinned,
 * iss/aud checked by jsonwebtoken; `typ` and a present `exp` checked here, then the session
 * and user with one indexed lookup, so logout and disabling take effect at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: JwtKeys,
    private readonly tokens: TokenService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: keys.access as unknown as string,
      algorithms: ['HS256'],
      issuer: keys.issuer,
      audience: keys.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { complete: true },
    });
  }

  async validate(decoded: DecodedJwt): Promise<AuthUser> {
    const { header, payload } = decoded;
    // typ keeps a refresh token (rt+jwt) from passing as an access token, even with one key.
    // `crit` names header extensions the recipient must understand (RFC 7515 §4.1.11); this
    // server understands none, so a token that carries it is refused.
    const wellFormed =
      header.typ === ACCESS_TOKEN_TYP &&
      header.crit === undefined &&
      typeof payload.exp === 'number' &&
      typeof payload.sub === 'string' &&
      typeof payload.sid === 'string';
    if (!wellFormed) {
      throw new AppException(ErrorCode.TokenInvalid, 'Access token is invalid', 401, true);
    }
    return this.tokens.checkAccess(payload.sid as string, payload.sub as string);
  }
}
