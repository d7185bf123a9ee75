import { appConfig, loadAppConfig } from './app.config';
import { authConfig, loadAuthConfig } from './auth.config';
import { databaseConfig, loadDatabaseConfig } from './database.config';
import { keysConfig, loadKeysConfig } from './keys.config';
import { loadMailConfig, mailConfig } from './mail.config';
import { loadMfaConfig, mfaConfig } from './mfa.config';
import { loadOAuthConfig, oauthConfig } from './oauth.config';
import { loadRateLimitConfig, rateLimitConfig } from './rate-limit.config';
import { loadSessionCacheConfig, sessionCacheConfig } from './session-cache.config';
import type { PostureConfig } from './security-posture';
import { checkWebConcurrency } from './web-concurrency';

export * from './app.config';
export * from './auth.config';
export * from './config-error';
export * from './database.config';
export * from './keys.config';
export * from './mail.config';
export * from './mfa.config';
export * from './oauth.config';
export * from './rate-limit.config';
export * from './session-cache.config';
export * from './web-concurrency';

export const configNamespaces = [
  appConfig,
  authConfig,
  databaseConfig,
  rateLimitConfig,
  keysConfig,
  oauthConfig,
  mailConfig,
  mfaConfig,
  sessionCacheConfig,
];

/** Validates the whole environment once; throws a ConfigError naming the first bad variable. */
export function validateEnvironment(): void {
  const app = loadAppConfig(process.env);
  loadAuthConfig(process.env);
  const database = loadDatabaseConfig(process.env);
  loadRateLimitConfig(process.env);
  loadKeysConfig(process.env);
  loadOAuthConfig(process.env);
  loadMailConfig(process.env);
  loadMfaConfig(process.env);
  loadSessionCacheConfig(process.env);
  checkWebConcurrency(app.webConcurrency, database);
}

/**
 * What the start-up report reads, loaded as the config namespaces load it: for the cluster
 * primary, which has no ConfigService (it creates no Nest app).
 */
export function loadPostureConfig(): PostureConfig {
  return {
    app: loadAppConfig(process.env),
    auth: loadAuthConfig(process.env),
    database: loadDatabaseConfig(process.env),
    rateLimit: loadRateLimitConfig(process.env),
    keys: loadKeysConfig(process.env),
    oauth: loadOAuthConfig(process.env),
    mail: loadMailConfig(process.env),
    mfa: loadMfaConfig(process.env),
  };
}
