import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppException, ErrorCode } from '../../common/errors';
import { AccessTokenVerifier } from '../access-token-verifier';
import { ACCESS_TOKEN_TYP, JwtKeys } from '../jwt-keys';
import { TokenService } from '../token.service';
import { AuthUser } from '../types/auth-user';

export interface DecodedJwt {
  header: { alg: string; typ?: string; kid?: string; crit?: unknown };
  payload: { sub?: unknown; sid?: unknown; jti?: unknown; exp?: unknown };
}

/**
 * Access tokens: `Authorization: Bearer` only (never query string or cookie), the configured
 * JWT_ALG pinned, iss/aud checked (by jsonwebtoken for HS256, by AccessTokenVerifier for the
 * asymmetric algorithms, which jsonwebtoken cannot all verify); `typ` and a present `exp`
 * checked here, then the session and user with one indexed lookup, so logout and disabling
 * take effect at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly fromHeader = ExtractJwt.fromAuthHeaderAsBearerToken();

  constructor(
    keys: JwtKeys,
    private readonly tokens: TokenService,
    private readonly verifier: AccessTokenVerifier,
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

  /**
   * HS256: passport-jwt's own path. Asymmetric: the same steps (no token → "No auth token";
   * a failed verification → fail; validate's refusal → error) with AccessTokenVerifier in
   * place of jsonwebtoken.
   */
  // The type is passport's Express request; Nest hands it Fastify's, which carries the header.
  authenticate(request: Parameters<Strategy['authenticate']>[0], options?: unknown): void {
    if (!this.verifier.asymmetric) return super.authenticate(request, options);
    const token = this.fromHeader(request);
    if (!token) return this.fail(new Error('No auth token'), 401);
    this.verifier.verify(token).then(
      (decoded) =>
        this.validate(decoded).then(
          (user) => this.success(user),
          (error: Error) => this.error(error),
        ),
      (error: Error) => this.fail(error, 401),
    );
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
