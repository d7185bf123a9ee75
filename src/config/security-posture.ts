import type { LoggerService } from '@nestjs/common';
import { AppConfig } from './app.config';
import { AuthConfig } from './auth.config';
import { DatabaseConfig } from './database.config';
import {
  DEV_DATA_ENCRYPTION_KEY_FILE,
  DEV_KEY_ENCRYPTION_KEY_FILE,
  DEV_SECRETS_FILE,
} from './dev-secrets';
import type { MfaConfig } from './mfa.config';
import { KeysConfig } from './keys.config';
import { OAuthConfig } from './oauth.config';
import type { MailConfig } from './mail.config';
import { RateLimitConfig } from './rate-limit.config';

export interface PostureConfig {
  app: AppConfig;
  auth: AuthConfig;
  database: DatabaseConfig;
  /** The `rateLimit` namespace; reported as missing rather than assumed when absent. */
  rateLimit?: RateLimitConfig;
  /** The `keys` and `oauth` namespaces (absent in older callers: then not reported). */
  keys?: KeysConfig;
  oauth?: OAuthConfig;
  /** The `mail` namespace (absent in older callers: then not reported). */
  mail?: MailConfig;
  /** The `mfa` namespace (absent in older callers: then not reported). */
  mfa?: MfaConfig;
}

export interface SecurityPosture {
  /** One setting per line, no secret and no credential among them. */
  lines: string[];
  /** Settings that are legal but weaken the service, each saying what to change. */
  warnings: string[];
}

/** A grace beyond this keeps a stolen, already-rotated refresh token useful for long. */
export const MAX_QUIET_REUSE_GRACE = 60;
/** OWASP's floor for bcrypt; lower costs are for tests. */
export const MIN_QUIET_BCRYPT_COST = 10;

/** `7d`, `15m`, `90s`: the largest unit that divides the value exactly. */
export function formatSeconds(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

function describeDatabase(database: DatabaseConfig): string {
  if (database.type === 'mysql') {
    return `mysql ${database.host}:${database.port}/${database.database}`;
  }
  return database.database === ':memory:' ? 'sqlite in memory' : `sqlite ${database.database}`;
}

function describeRateLimit(rateLimit: RateLimitConfig | undefined, processes: number): string {
  if (!rateLimit) return 'not configured';
  const window = formatSeconds(Math.round(rateLimit.windowMs / 1000));
  let storage =
    processes > 1
      ? `counted in memory (per process: each of the ${processes} workers counts alone)`
      : 'counted in memory (per instance)';
  if (rateLimit.redisUrl) {
    // Only scheme, host and port: the URL may carry a password.
    const url = new URL(rateLimit.redisUrl);
    storage = `counted in redis ${url.protocol}//${url.host}`;
  }
  return `AUTH_RATE_LIMIT ${rateLimit.limit}/${window}, ${storage}`;
}

function describeTrustProxy(trustProxy: AppConfig['trustProxy']): string {
  if (trustProxy === false) return "off (client IP is the socket's)";
  if (typeof trustProxy === 'number') return `${trustProxy} hop${trustProxy === 1 ? '' : 's'}`;
  return trustProxy.join(', ');
}

function describeKeys(keys: KeysConfig): string {
  if (keys.algorithm === 'HS256') return 'access tokens: HS256 (JWT_ACCESS_SECRET), empty JWKS';
  const rotation = keys.rotationInterval
    ? `every ${formatSeconds(keys.rotationInterval)}`
    : 'by rotate-keys only';
  return (
    `access tokens: ${keys.algorithm}, key set reloaded every ` +
    `${formatSeconds(keys.refreshInterval)}, rotated ${rotation}, private keys sealed with ` +
    `${keys.generatedEncryptionKey ? 'a generated' : 'the configured'} KEY_ENCRYPTION_KEY`
  );
}

/**
 * The security-relevant settings the server starts with, and warnings for the risky ones.
 * Pure, so it is tested on its own; logged once after listening (src/server.ts, or with
 * WEB_CONCURRENCY > 1 the cluster primary once every worker listens).
 */
export function securityPosture({
  app,
  auth,
  database,
  rateLimit,
  keys,
  oauth,
  mail,
  mfa,
}: PostureConfig): SecurityPosture {
  const lines = [
    `NODE_ENV: ${app.nodeEnv ?? '(unset)'}${app.production ? '' : ' (development settings)'}`,
    `database: ${describeDatabase(database)}`,
    `tokens: access ${formatSeconds(auth.accessTtl)}, refresh ${formatSeconds(auth.refreshTtl)} ` +
      `idle, session ${formatSeconds(auth.sessionMaxTtl)} absolute, ` +
      `reuse grace ${formatSeconds(auth.reuseGrace)}`,
    `bcrypt cost: ${auth.bcryptCost}`,
    ...(app.webConcurrency > 1
      ? [
          `processes: WEB_CONCURRENCY ${app.webConcurrency} (cluster workers on one port), ` +
            `${auth.bcryptWorkers} bcrypt thread${auth.bcryptWorkers === 1 ? '' : 's'} each`,
        ]
      : []),
    `rate limit: ${describeRateLimit(rateLimit, app.webConcurrency)}`,
    `TRUST_PROXY: ${describeTrustProxy(app.trustProxy)}`,
    `CORS: ${app.corsOrigins.length ? app.corsOrigins.join(', ') : 'off (no cross-origin access)'}`,
    `refresh cookie: HttpOnly; SameSite=Strict; Path=/api/auth; ` +
      `${auth.secureCookie ? 'Secure' : 'not Secure (plain HTTP allowed)'}`,
    `JWT secrets: ${auth.generatedSecrets ? `generated, kept in ${DEV_SECRETS_FILE}` : 'from the environment'}`,
    ...(keys ? [describeKeys(keys)] : []),
    ...(oauth
      ? [
          `introspection clients: ${oauth.introspectionClients.map((c) => c.id).join(', ') || 'none'}`,
        ]
      : []),
  ];

  const warnings: string[] = [];
  if (auth.generatedSecrets) {
    warnings.push(
      `JWT secrets were generated into ${DEV_SECRETS_FILE}: set JWT_ACCESS_SECRET and ` +
        'JWT_REFRESH_SECRET for any shared or deployed server',
    );
  }
  if (keys?.generatedEncryptionKey) {
    warnings.push(
      `KEY_ENCRYPTION_KEY was generated into ${DEV_KEY_ENCRYPTION_KEY_FILE}: set it for any ` +
        'shared or deployed server (the signing keys in the database are sealed with it)',
    );
  }
  if (mfa?.generatedDataEncryptionKey) {
    warnings.push(
      `DATA_ENCRYPTION_KEY was generated into ${DEV_DATA_ENCRYPTION_KEY_FILE}: set it for any ` +
        'shared or deployed server (the TOTP secrets in the database are sealed with it)',
    );
  }
  if (app.production && database.type === 'sqlite') {
    warnings.push(
      'SQLite in production: one instance only, data on local disk; use DATABASE_URL=mysql://…',
    );
  }
  if (auth.reuseGrace > MAX_QUIET_REUSE_GRACE) {
    warnings.push(
      `REFRESH_REUSE_GRACE is ${formatSeconds(auth.reuseGrace)}: a stolen, already-rotated ` +
        `refresh token stays usable that long; keep it at ${MAX_QUIET_REUSE_GRACE}s or less`,
    );
  }
  if (auth.bcryptCost < MIN_QUIET_BCRYPT_COST) {
    warnings.push(
      `BCRYPT_COST is ${auth.bcryptCost}: stolen hashes are cheap to crack; ` +
        `use ${MIN_QUIET_BCRYPT_COST} or more`,
    );
  }
  if (app.production && mail && !mail.smtpUrl) {
    warnings.push(
      `SMTP_URL is unset in production: password-reset mails are only written to ` +
        `${mail.outboxDir}/ (their links are not logged) and never reach anyone; set SMTP_URL`,
    );
  }
  if (!rateLimit) warnings.push('no rate-limit configuration found: auth routes are unthrottled');
  // Each worker process keeps its own in-memory counts, and the cluster primary hands each new
  // connection to the next worker: a client that reconnects gets a fresh budget on each.
  if (app.production && app.webConcurrency > 1 && rateLimit && !rateLimit.redisUrl) {
    const n = app.webConcurrency;
    warnings.push(
      `WEB_CONCURRENCY is ${n} without REDIS_URL: each worker process counts rate limits on its ` +
        `own, so this instance allows up to ${n} × AUTH_RATE_LIMIT (${n * rateLimit.limit} ` +
        `logins per IP and email per window instead of ${rateLimit.limit}); set REDIS_URL`,
    );
  }
  const plainOrigins = app.corsOrigins.filter((origin) => origin.startsWith('http://'));
  if (app.production && plainOrigins.length) {
    warnings.push(
      `CORS_ORIGINS allows plain-HTTP origins in production (${plainOrigins.join(', ')}): ` +
        'anyone on their network can act with the credentials CORS grants them',
    );
  }
  const everyone = Array.isArray(app.trustProxy)
    ? app.trustProxy.filter((entry) => /\/0$/.test(entry))
    : [];
  if (everyone.length) {
    warnings.push(
      `TRUST_PROXY trusts every address (${everyone.join(', ')}): any client can forge ` +
        'X-Forwarded-For and so its IP for rate limits and sessions; list the proxies instead',
    );
  }
  return { lines, warnings };
}

/** Logs the posture: one block with the settings, then one `warn` line per warning. */
export function logSecurityPosture(
  config: PostureConfig,
  logger: Pick<LoggerService, 'log' | 'warn'>,
): void {
  const { lines, warnings } = securityPosture(config);
  const summary = warnings.length ? `${warnings.length} warning(s) follow` : 'no warnings';
  logger.log(['security posture:', ...lines, summary].join('\n  '), 'SecurityPosture');
  for (const warning of warnings) logger.warn(`security warning: ${warning}`, 'SecurityPosture');
}
