import { registerAs } from '@nestjs/config';
import { availableParallelism } from 'node:os';
import { ConfigError } from './config-error';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { isProduction, RawEnv, readDuration, readInt, readOptional } from './env';
import { defaultBcryptWorkers, readWebConcurrency } from './web-concurrency';

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
  /** bcrypt worker threads of this process (BCRYPT_WORKERS; started on demand, up to this many). */
  bcryptWorkers: number;
  /** bcrypt jobs that may wait for a worker; one more is refused with 503 (BCRYPT_QUEUE_LIMIT). */
  bcryptQueueLimit: number;
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

/**
 * The bcrypt pool. Workers default to the machine's cores, shared out among the WEB_CONCURRENCY
 * processes (each gets cores ÷ processes, at least 1; an explicit BCRYPT_WORKERS is per
 * process): hashing is all CPU, so more threads than cores only slice the same cores finer, and
 * the event loop still gets its share from the OS scheduler since it never runs a hash itself.
 *
 * Why the queue default is about two seconds of hashing per worker (cost 11: 20 jobs a worker,
 * each step of cost halves it, never under 4, at most 1000): a job waits roughly
 * queued / workers × one hash (~0.1–0.2 s at cost 11), and a login held longer than a couple of
 * seconds helps nobody — the client would sooner have a 503 with Retry-After than sit in a
 * queue that only grows under a flood and makes every waiting login slower.
 */
function readBcryptPool(env: RawEnv, cost: number) {
  const fallback = defaultBcryptWorkers(availableParallelism(), readWebConcurrency(env));
  const bcryptWorkers = readInt(env, 'BCRYPT_WORKERS', fallback, 1, 64);
  const perWorker = Math.min(1000, Math.max(4, Math.round(20 * 2 ** (11 - cost))));
  // At least 1: the start itself queues the dummy hash and the admin's behind each other.
  const bcryptQueueLimit = readInt(
    env,
    'BCRYPT_QUEUE_LIMIT',
    bcryptWorkers * perWorker,
    1,
    100_000,
  );
  return { bcryptWorkers, bcryptQueueLimit };
}

export function loadAuthConfig(env: RawEnv): AuthConfig {
  const bcryptCost = readInt(env, 'BCRYPT_COST', 11, 4, 15);
  return {
    ...readSecrets(env),
    issuer: 'nest-auth-service',
    audience: 'nest-auth-service',
    accessTtl: readDuration(env, 'ACCESS_TOKEN_TTL', '15m'),
    refreshTtl: readDuration(env, 'REFRESH_TOKEN_TTL', '7d'),
    sessionMaxTtl: readDuration(env, 'SESSION_MAX_TTL', '30d'),
    // A long grace would let a stolen, already-rotated token keep working: at most 5 minutes.
    reuseGrace: readDuration(env, 'REFRESH_REUSE_GRACE', '10s', { allowZero: true, max: 300 }),
    bcryptCost,
    ...readBcryptPool(env, bcryptCost),
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
