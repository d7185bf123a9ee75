import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { appConfig } from '../../config/app.config';
import { presentedRefreshToken } from '../strategies/refresh-token.extractor';

/** `scheme://host[:port]` as browsers send it (lower case, no default port); null if not one. */
function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Whether a browser page at `origin` may use the refresh cookie: the server's own origin
 * (`ownOrigin`, from the request's protocol and Host) or one listed in CORS_ORIGINS.
 * `Origin: null` (sandboxed frames, some redirects) and anything unparsable are refused.
 */
export function isAllowedOrigin(
  origin: string,
  ownOrigin: string | undefined,
  corsOrigins: readonly string[],
): boolean {
  const presented = normalizeOrigin(origin);
  if (!presented) return false;
  const allowed = [ownOrigin, ...corsOrigins].filter((entry) => entry !== undefined);
  return allowed.some((entry) => normalizeOrigin(entry) === presented);
}

/**
 * CSRF defence for the routes a refresh cookie authenticates (refresh, logout): when the
 * token comes from the cookie and the request has an `Origin` header, that origin must be
 * allowed (isAllowedOrigin), else 403 `forbidden` before anything happens — the session is
 * not touched and the cookie not cleared.
 *
 * Why: SameSite=Strict keeps the cookie off cross-site requests, but a sibling subdomain is
 * the same site, so a page there would still send it. Why only the cookie: a body-carried
 * token is one the caller already holds, and a cross-site form cannot send one anyway — a
 * cross-origin JSON body needs a CORS preflight that unlisted origins fail, and form bodies
 * (text/plain, urlencoded, multipart) are 415. Why an absent Origin passes: browsers send it
 * on every cross-origin POST; non-browser clients, which CSRF cannot drive, may omit it.
 */
@Injectable()
export class RefreshCookieOriginGuard implements CanActivate {
  constructor(@Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const origin = request.headers.origin;
    if (origin === undefined || presentedRefreshToken(request)?.source !== 'cookie') return true;
    // protocol and host honour X-Forwarded-Proto/-Host only when TRUST_PROXY trusts the hop.
    const ownOrigin = request.host ? `${request.protocol}://${request.host}` : undefined;
    if (isAllowedOrigin(origin, ownOrigin, this.config.corsOrigins)) return true;
    throw new AppException(
      ErrorCode.Forbidden,
      'Requests from this origin may not use the refresh cookie',
    );
  }
}
