import { registerAs } from '@nestjs/config';
import { ConfigError } from './config-error';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { isProduction, RawEnv, readDuration, readInt, readOptional } from './env';

export interface AuthConfig {
  accessSecret: string;
  refreshSecret: string;
  /** A secret was not configured but generated and kept in data/ (development only). */
  generatedSecrets: boolean;
  issuer: string;
  audience: string;
  /** All lifetimes in seconds. */
  accessTtl: number;
  refreshTtl: number;
  sessionMaxTtl: number;
  reuseGrace: number;
  bcryptCost: number;
  /** Refresh cookie gets `Secure` (production only, so plain-HTTP development works). */
  secureCookie: boolean;
  /** Seconds between purges of ended sessions' refresh tokens; 0 turns the job off. */
  tokenPurgeInterval: number;
  /** Rows deleted per statement by the purge. */
  tokenPurgeBatch: number;
  adminEmail?: string;
  adminPassword?: string;
}

const MIN_SECRET_BYTES = 32;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function readSecrets(
  env: RawEnv,
): Pick<AuthConfig, 'accessSecret' | 'refreshSecret' | 'generatedSecrets'> {
  const access = readOptional(env, 'JWT_ACCESS_SECRET');
  const refresh = readOptional(env, 'JWT_REFRESH_SECRET');
  const production = isProduction(env);
  if (production && !access)
    throw new ConfigError('JWT_ACCESS_SECRET', 'is required in production');
  if (production && !refresh) {
    throw new ConfigError('JWT_REFRESH_SECRET', 'is required in production');
  }
  const secrets =
    access && refresh
      ? { accessSecret: access, refreshSecret: refresh }
      : {
          ...loadOrCreateDevSecrets(),
          ...(access && { accessSecret: access }),
          ...(refresh && { refreshSecret: refresh }),
        };
  for (const [name, value] of [
    ['JWT_ACCESS_SECRET', secrets.accessSecret],
    ['JWT_REFRESH_SECRET', secrets.refreshSecret],
  ] as const) {
    if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) {
      throw new ConfigError(name, `must be at least ${MIN_SECRET_BYTES} bytes long`);
    }
  }
  // One secret for both would let an access token pass as a refresh token (and back).
  if (secrets.accessSecret === secrets.refreshSecret) {
    throw new ConfigError('JWT_REFRESH_SECRET', 'must differ from JWT_ACCESS_SECRET');
  }
  return { ...secrets, generatedSecrets: !(access && refresh) };
}

function readAdmin(env: RawEnv): Pick<AuthConfig, 'adminEmail' | 'adminPassword'> {
  const email = readOptional(env, 'ADMIN_EMAIL')?.normalize('NFC').toLowerCase();
  const password = env.ADMIN_PASSWORD;
  if (!email || !password) return {};
  if (!EMAIL_PATTERN.test(email)) throw new ConfigError('ADMIN_EMAIL', 'is not an email address');
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < 8 || bytes > 72) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be 8 to 72 UTF-8 bytes long');
  }
  return { adminEmail: email, adminPassword: password };
}

export function loadAuthConfig(env: RawEnv): AuthConfig {
  return {
    ...readSecrets(env),
    issuer: 'nest-auth-service',
    audience: 'nest-auth-service',
    accessTtl: readDuration(env, 'ACCESS_TOKEN_TTL', '15m'),
    refreshTtl: readDuration(env, 'REFRESH_TOKEN_TTL', '7d'),
    sessionMaxTtl: readDuration(env, 'SESSION_MAX_TTL', '30d'),
    // A long grace would let a stolen, already-rotated token keep working: at most 5 minutes.
    reuseGrace: readDuration(env, 'REFRESH_REUSE_GRACE', '10s', { allowZero: true, max: 300 }),
    bcryptCost: readInt(env, 'BCRYPT_COST', 11, 4, 15),
    secureCookie: isProduction(env),
    tokenPurgeInterval: readDuration(env, 'TOKEN_PURGE_INTERVAL', '1h', {
      allowZero: true,
      max: 7 * 86400,
    }),
    tokenPurgeBatch: readInt(env, 'TOKEN_PURGE_BATCH', 1000, 1, 10_000),
    ...readAdmin(env),
  };
}

export const authConfig = registerAs('auth', () => loadAuthConfig(process.env));
