import { Injectable } from '@nestjs/common';
import { TokenService } from '../auth/token.service';
import { RequestMeta } from '../auth/types/auth-user';
import { AuditLog } from '../common/audit/audit-log.service';
import { TokenIntrospector } from './token-introspector';

/** RFC 7662 §2.2: everything about a token that is not live is this one answer. */
export const INACTIVE = { active: false } as const;

export type IntrospectionResponse =
  | typeof INACTIVE
  | {
      active: true;
      /** RFC 6749 §5.1's type, for access tokens: `Bearer`. */
      token_type?: 'Bearer';
      /** Which of this server's tokens it is (as Ory Hydra names it). */
      token_use: 'access_token' | 'refresh_token';
      sub: string;
      sid: string;
      jti?: string;
      iat?: number;
      exp: number;
      iss: string;
      aud: string;
      roles?: string[];
    };

/** RFC 7662 introspection and RFC 7009 revocation for resource servers and token holders. */
@Injectable()
export class OAuthService {
  constructor(
    private readonly introspector: TokenIntrospector,
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
  ) {}

  /**
   * `active` with the token's claims when it is live now; `{"active":false}` for expired,
   * revoked, spent, forged or unknown tokens alike, so the answer tells an attacker nothing.
   */
  async introspect(
    token: string,
    hint: string | undefined,
    issuer: { iss: string; aud: string },
  ): Promise<IntrospectionResponse> {
    const found = await this.introspector.recognise(token, hint);
    if (!found || !(await this.introspector.isActive(found, token))) return INACTIVE;
    return {
      active: true,
      ...(found.type === 'access_token' && { token_type: 'Bearer' as const }),
      token_use: found.type,
      sub: found.sub,
      sid: found.sid,
      ...(found.jti && { jti: found.jti }),
      ...(found.iat !== undefined && { iat: found.iat }),
      exp: found.type === 'refresh_token' ? this.introspector.refreshExpiry(found) : found.exp,
      ...issuer,
      ...(found.roles && { roles: found.roles }),
    };
  }

  /**
   * Ends the session of a genuine token: an access token (not yet expired) or a refresh token
   * that is the very one stored. Anything else, or a session ended already, changes nothing
   * and is no error (RFC 7009 §2.2: the client cannot tell, and need not).
   */
  async revoke(
    token: string,
    hint: string | undefined,
    clientId: string | null,
    meta: RequestMeta,
  ): Promise<void> {
    const found = await this.introspector.recognise(token, hint);
    if (!found || found.expired) return;
    if (found.type === 'refresh_token' && !(await this.introspector.findRefreshRow(found, token))) {
      return;
    }
    const ended = await this.tokens.endSession(found.sid, 'revoked');
    this.audit.record('oauth.token_revoked', {
      userId: found.sub,
      sessionId: found.sid,
      tokenType: found.type,
      clientId,
      ended,
      ...meta,
    });
  }
}
