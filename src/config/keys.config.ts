import { registerAs } from '@nestjs/config';
import { ConfigError } from './config-error';
import { DEV_KEY_ENCRYPTION_KEY_FILE, loadOrCreateDevEncryptionKey } from './dev-secrets';
import { isProduction, RawEnv, readDuration, readEnum, readInt, readOptional } from './env';

export const JWT_ALGORITHMS = ['HS256', 'ES256', 'EdDSA', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

export interface KeysConfig {
  /** JWT_ALG: how access tokens are signed. HS256 uses JWT_ACCESS_SECRET and no key table. */
  algorithm: JwtAlgorithm;
  /** AES-256-GCM key for the private keys at rest; null with HS256 (nothing to encrypt). */
  encryptionKey: Buffer | null;
  /** The key-encryption key was generated into data/ (development only). */
  generatedEncryptionKey: boolean;
  /** Seconds between reloads of the key set by every instance (KEY_REFRESH_INTERVAL). */
  refreshInterval: number;
  /**
   * Seconds a new key is published before it may sign: two reload intervals, so every
   * instance serves it in its JWKS, and a resource server's cached copy has been refetched,
   * before any token it signed exists.
   */
  prePublication: number;
  /** `Cache-Control: max-age` of the JWKS: half a reload interval, well inside prePublication. */
  jwksMaxAge: number;
  /** Seconds between scheduled rotations; 0 = only `cli rotate-keys` rotates. */
  rotationInterval: number;
  /**
   * Verified access tokens kept so a repeated token skips the public-key check
   * (TOKEN_VERIFY_CACHE_SIZE, entries; 0 = off). Asymmetric JWT_ALG only.
   */
  verifyCacheSize: number;
}

/** `KEY_ENCRYPTION_KEY` (or `DATA_ENCRYPTION_KEY`): 32 bytes as 64 hex digits, or base64 / base64url. */
export function parseEncryptionKey(raw: string, variable = 'KEY_ENCRYPTION_KEY'): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw)
    ? Buffer.from(raw, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw)
      ? Buffer.from(raw.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url')
      : null;
  if (!key || key.length !== 32) {
    throw new ConfigError(
      variable,
      'must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)',
    );
  }
  return key;
}

function readEncryptionKey(env: RawEnv, algorithm: JwtAlgorithm) {
  const raw = readOptional(env, 'KEY_ENCRYPTION_KEY');
  if (raw) return { encryptionKey: parseEncryptionKey(raw), generatedEncryptionKey: false };
  if (algorithm === 'HS256') return { encryptionKey: null, generatedEncryptionKey: false };
  if (isProduction(env)) {
    throw new ConfigError(
      'KEY_ENCRYPTION_KEY',
      `is required in production with JWT_ALG=${algorithm}`,
    );
  }
  return {
    encryptionKey: loadOrCreateDevEncryptionKey(DEV_KEY_ENCRYPTION_KEY_FILE),
    generatedEncryptionKey: true,
  };
}

export function loadKeysConfig(env: RawEnv): KeysConfig {
  const algorithm = readEnum(env, 'JWT_ALG', 'HS256', JWT_ALGORITHMS);
  // At most an hour: a reload is one small query, and a longer interval stretches every
  // rotation's pre-publication window with it.
  const refreshInterval = readDuration(env, 'KEY_REFRESH_INTERVAL', '60s', { max: 3600 });
  const prePublication = 2 * refreshInterval;
  const rotationInterval =
    readOptional(env, 'KEY_ROTATION_INTERVAL')?.toLowerCase() === 'off'
      ? 0
      : readDuration(env, 'KEY_ROTATION_INTERVAL', '0', { allowZero: true });
  if (rotationInterval > 0 && rotationInterval < prePublication) {
    throw new ConfigError(
      'KEY_ROTATION_INTERVAL',
      `must be at least ${prePublication} s (twice KEY_REFRESH_INTERVAL), the time a new key ` +
        'is published before it signs',
    );
  }
  return {
    algorithm,
    ...readEncryptionKey(env, algorithm),
    refreshInterval,
    prePublication,
    jwksMaxAge: Math.max(1, Math.floor(refreshInterval / 2)),
    rotationInterval,
    verifyCacheSize: readInt(env, 'TOKEN_VERIFY_CACHE_SIZE', 10_000, 0, 1_000_000),
  };
}

export const keysConfig = registerAs('keys', () => loadKeysConfig(process.env));
