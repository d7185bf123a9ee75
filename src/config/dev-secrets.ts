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
