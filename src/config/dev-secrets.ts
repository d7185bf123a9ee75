import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './config-error';

export const DEV_SECRETS_FILE = 'data/jwt-secrets.json';

interface DevSecrets {
  accessSecret: string;
  refreshSecret: string;
}

/**
 * Outside production, secrets that were not configured are generated once and kept in
 * `data/` (mode 0600), so restarts keep sessions valid without anyone choosing a weak secret.
 */
export function loadOrCreateDevSecrets(file = DEV_SECRETS_FILE): DevSecrets {
  if (existsSync(file)) {
    let stored: Partial<DevSecrets> | null;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets> | null;
    } catch {
      throw new ConfigError(file, 'is not valid JSON; delete it to generate new secrets');
    }
    if (typeof stored?.accessSecret === 'string' && typeof stored.refreshSecret === 'string') {
      return { accessSecret: stored.accessSecret, refreshSecret: stored.refreshSecret };
    }
  }
  const secrets: DevSecrets = {
    accessSecret: randomBytes(48).toString('base64url'),
    refreshSecret: randomBytes(48).toString('base64url'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}

export const DEV_KEY_ENCRYPTION_KEY_FILE = 'data/key-encryption-key';
/** The development DATA_ENCRYPTION_KEY (TOTP secrets), generated like the one above. */
export const DEV_DATA_ENCRYPTION_KEY_FILE = 'data/data-encryption-key';

/**
 * The development key-encryption key: 32 random bytes, generated once and kept in `data/`
 * (mode 0600) like the JWT secrets, so the signing keys stored in the database stay readable
 * across restarts.
 */
export function loadOrCreateDevEncryptionKey(file = DEV_KEY_ENCRYPTION_KEY_FILE): Buffer {
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length !== 32) {
      throw new ConfigError(file, 'does not hold a 32-byte key; delete it to generate a new one');
    }
    return key;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key.toString('base64url') + '\n', { mode: 0o600 });
  return key;
}
