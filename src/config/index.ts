import { appConfig, loadAppConfig } from './app.config';
import { authConfig, loadAuthConfig } from './auth.config';
import { databaseConfig, loadDatabaseConfig } from './database.config';
import { keysConfig, loadKeysConfig } from './keys.config';
import { loadOAuthConfig, oauthConfig } from './oauth.config';
import { loadRateLimitConfig, rateLimitConfig } from './rate-limit.config';

export * from './app.config';
export * from './auth.config';
export * from './config-error';
export * from './database.config';
export * from './keys.config';
export * from './oauth.config';
export * from './rate-limit.config';

export const configNamespaces = [
  appConfig,
  authConfig,
  databaseConfig,
  rateLimitConfig,
  keysConfig,
  oauthConfig,
];

/** Validates the whole environment once; throws a ConfigError naming the first bad variable. */
export function validateEnvironment(): void {
  loadAppConfig(process.env);
  loadAuthConfig(process.env);
  loadDatabaseConfig(process.env);
  loadRateLimitConfig(process.env);
  loadKeysConfig(process.env);
  loadOAuthConfig(process.env);
}
