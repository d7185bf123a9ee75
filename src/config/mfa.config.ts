import { registerAs } from '@nestjs/config';
import { ConfigError } from './config-error';
import { DEV_DATA_ENCRYPTION_KEY_FILE, loadOrCreateDevEncryptionKey } from './dev-secrets';
import { isProduction, RawEnv, readOptional } from './env';
import { parseEncryptionKey } from './keys.config';
import { parseRateLimit } from './rate-limit.config';

export interface MfaConfig {
  /** DATA_ENCRYPTION_KEY: AES-256-GCM key for TOTP secrets at rest. */
  dataEncryptionKey: Buffer;
  /** The key was generated into data/ (development only). */
  generatedDataEncryptionKey: boolean;
  /** MFA_ISSUER: the account's issuer in authenticator apps (the otpauth:// URI). */
  issuer: string;
  /**
   * MFA_RATE_LIMIT: wrong second-factor codes one user may send per window, over every mfa
   * token and route (verify, confirm, removal, reauthenticate); past it 429.
   */
  failureLimit: { limit: number; windowMs: number };
}

/** Seconds an mfa token (login's challenge) lives. */
export const MFA_TOKEN_TTL = 300;
/** Wrong codes one mfa token takes; the next attempt finds it void. */
export const MFA_TOKEN_ATTEMPTS = 5;
export const DEFAULT_MFA_ISSUER = 'Auth Service';
export const DEFAULT_MFA_RATE_LIMIT = '10/15m';

function readDataEncryptionKey(env: RawEnv) {
  const raw = readOptional(env, 'DATA_ENCRYPTION_KEY');
  if (raw) {
    return {
      dataEncryptionKey: parseEncryptionKey(raw, 'DATA_ENCRYPTION_KEY'),
      generatedDataEncryptionKey: false,
    };
  }
  if (isProduction(env)) {
    throw new ConfigError(
      'DATA_ENCRYPTION_KEY',
      'is required in production: it encrypts the TOTP secrets (openssl rand -base64 32)',
    );
  }
  return {
    dataEncryptionKey: loadOrCreateDevEncryptionKey(DEV_DATA_ENCRYPTION_KEY_FILE),
    generatedDataEncryptionKey: true,
  };
}

function readIssuer(env: RawEnv): string {
  const issuer = readOptional(env, 'MFA_ISSUER') ?? DEFAULT_MFA_ISSUER;
  // The otpauth:// label is "issuer:account": a colon would split it wrongly.
  if (issuer.length > 64 || /[:\p{Cc}]/u.test(issuer)) {
    throw new ConfigError(
      'MFA_ISSUER',
      'must be 1 to 64 characters without ":" or control characters',
    );
  }
  return issuer;
}

export function loadMfaConfig(env: RawEnv): MfaConfig {
  return {
    ...readDataEncryptionKey(env),
    issuer: readIssuer(env),
    failureLimit: parseRateLimit(
      readOptional(env, 'MFA_RATE_LIMIT') ?? DEFAULT_MFA_RATE_LIMIT,
      'MFA_RATE_LIMIT',
    ),
  };
}

export const mfaConfig = registerAs('mfa', () => loadMfaConfig(process.env));
