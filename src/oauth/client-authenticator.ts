import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppException, ErrorCode } from '../common/errors';
import { oauthConfig } from '../config/oauth.config';

export const BASIC_CHALLENGE = 'Basic realm="oauth", charset="UTF-8"';

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined by a colon. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

export function invalidClient(): AppException {
  return new AppException(ErrorCode.InvalidClient, 'Client authentication failed').withChallenge(
    BASIC_CHALLENGE,
  );
}

/**
 * HTTP Basic authentication of the resource servers in INTROSPECTION_CLIENTS. Secrets are
 * compared as SHA-256 digests with timingSafeEqual, and an unknown id is compared against a
 * random digest, so neither the time nor the answer tells which part was wrong.
 */
@Injectable()
export class ClientAuthenticator {
  private readonly clients: Map<string, Buffer>;
  private readonly decoy = createHash('sha256').update(randomBytes(32)).digest();

  constructor(@Inject(oauthConfig.KEY) config: ConfigType<typeof oauthConfig>) {
    this.clients = new Map(config.introspectionClients.map((c) => [c.id, digest(c.secret)]));
  }

  /** The authenticated client id; 401 `invalid_client` for anything else. */
  authenticate(authorization: string | undefined): string {
    const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization?.trim() ?? '');
    const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient();
    const id = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (id === null || secret === null) throw invalidClient();
    const expected = this.clients.get(id);
    const equal = timingSafeEqual(digest(secret), expected ?? this.decoy);
    if (!expected || !equal) throw invalidClient();
    return id;
  }

  /** Revocation's rule: Basic credentials must be right when sent; without them, the holder. */
  authenticateIfPresent(authorization: string | undefined): string | null {
    if (!/^Basic\s/i.test(authorization ?? '')) return null;
    return this.authenticate(authorization);
  }
}
