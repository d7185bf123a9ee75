import { registerAs } from '@nestjs/config';
import { ConfigError } from './config-error';
import { RawEnv, readInt, readOptional } from './env';

export interface OAuthClient {
  id: string;
  secret: string;
}

export interface OAuthConfig {
  /** The server's public base URL (PUBLIC_URL), for the absolute URLs of the RFC 8414 metadata. */
  publicUrl: string;
  /** Resource servers allowed to introspect and revoke (INTROSPECTION_CLIENTS). */
  introspectionClients: OAuthClient[];
}

const MIN_CLIENT_SECRET_BYTES = 32;
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,64}$/;

/**
 * `INTROSPECTION_CLIENTS=id:secret,id2:secret2`. Secrets must be at least 32 bytes: they are
 * compared in constant time, but a short one could still be guessed online.
 */
export function parseIntrospectionClients(raw: string | undefined): OAuthClient[] {
  if (!raw) return [];
  const clients: OAuthClient[] = [];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const secret = colon > 0 ? entry.slice(colon + 1) : '';
    if (!CLIENT_ID.test(id) || !secret) {
      throw new ConfigError(
        'INTROSPECTION_CLIENTS',
        `"${id || entry.slice(0, 20)}…" is not id:secret (id: 1-64 of A-Z a-z 0-9 . _ ~ -)`,
      );
    }
    if (Buffer.byteLength(secret, 'utf8') < MIN_CLIENT_SECRET_BYTES) {
      throw new ConfigError(
        'INTROSPECTION_CLIENTS',
        `the secret of "${id}" must be at least ${MIN_CLIENT_SECRET_BYTES} bytes long`,
      );
    }
    if (clients.some((client) => client.id === id)) {
      throw new ConfigError('INTROSPECTION_CLIENTS', `"${id}" is listed twice`);
    }
    clients.push({ id, secret });
  }
  return clients;
}

function readPublicUrl(env: RawEnv): string {
  const raw = readOptional(env, 'PUBLIC_URL');
  if (!raw) return `http://localhost:${readInt(env, 'PORT', 3000, 0, 65535)}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL', `"${raw}" is not a URL like https://auth.example.com`);
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(
      'PUBLIC_URL',
      `"${raw}" must be an http(s) URL without query or credentials`,
    );
  }
  return raw.replace(/\/+$/, '');
}

export function loadOAuthConfig(env: RawEnv): OAuthConfig {
  return {
    publicUrl: readPublicUrl(env),
    introspectionClients: parseIntrospectionClients(readOptional(env, 'INTROSPECTION_CLIENTS')),
  };
}

export const oauthConfig = registerAs('oauth', () => loadOAuthConfig(process.env));
