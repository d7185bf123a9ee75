import { registerAs } from '@nestjs/config';
import { existsSync, statSync } from 'node:fs';
import { ConfigError } from './config-error';
import { isProduction, RawEnv, readBoolean, readDuration, readInt, readOptional } from './env';
import { parseRateLimit } from './rate-limit.config';
import { loadOAuthConfig } from './oauth.config';

export interface MailConfig {
  /** SMTP_URL (smtp:// or smtps://); null: mails are written as .eml files to `outboxDir`. */
  smtpUrl: string | null;
  /** MAIL_FROM: the From header, `Name <address>` or an address. */
  from: string;
  /** MAIL_TEMPLATES_DIR: a directory whose `<name>.txt` / `<name>.html` replace the built-in ones. */
  templatesDir: string | null;
  /** Where the embedded default (no SMTP_URL) writes its .eml files (MAIL_OUTBOX_DIR). */
  outboxDir: string;
  /** Attempts of one mail before it is given up (MAIL_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Seconds between two looks of the sender at the outbox when it is idle (MAIL_POLL_INTERVAL). */
  pollInterval: number;
  /** APP_URL: the base of the links in mails (your frontend); default PUBLIC_URL. */
  appUrl: string;
  /** Seconds a password-reset link works (PASSWORD_RESET_TTL). */
  passwordResetTtl: number;
  /** Seconds an email-verification link works (EMAIL_VERIFY_TTL). */
  emailVerifyTtl: number;
  /** REQUIRE_VERIFIED_EMAIL: an unverified account cannot log in (403 email_not_verified). */
  requireVerifiedEmail: boolean;
  /**
   * MAIL_RATE_LIMIT: mails asked for one address (reset links, verification resends) per
   * window, from any number of IPs.
   */
  mailRateLimit: { limit: number; windowMs: number };
  /**
   * Whether the .eml mode (no SMTP_URL) logs the links of its mails: outside production only,
   * since a link carries a live single-use token.
   */
  logLinks: boolean;
}

export const DEFAULT_MAIL_FROM = 'Auth Service <no-reply@localhost>';
export const DEFAULT_OUTBOX_DIR = 'data/outbox';
export const DEFAULT_MAIL_RATE_LIMIT = '5/1h';

// An address as mailers accept it: no spaces, no angle brackets, no CR/LF (header injection).
const ADDRESS = /^[^\s<>@",;]+@[^\s<>@",;]+$/;
const NAMED = /^([^\r\n<>"]{1,100}) <([^\s<>@",;]+@[^\s<>@",;]+)>$/;

function readSmtpUrl(env: RawEnv): string | null {
  const raw = readOptional(env, 'SMTP_URL');
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SMTP_URL', 'is not a URL like smtp://user:pass@smtp.example.com:587');
  }
  if (!['smtp:', 'smtps:'].includes(url.protocol) || !url.hostname) {
    throw new ConfigError('SMTP_URL', 'must be smtp://… or smtps://… with a host');
  }
  return raw;
}

function readFrom(env: RawEnv): string {
  const raw = readOptional(env, 'MAIL_FROM') ?? DEFAULT_MAIL_FROM;
  if (/[\r\n]/.test(raw) || !(ADDRESS.test(raw) || NAMED.test(raw))) {
    throw new ConfigError('MAIL_FROM', `"${raw}" is not an address or "Name <address>"`);
  }
  return raw;
}

function readTemplatesDir(env: RawEnv): string | null {
  const dir = readOptional(env, 'MAIL_TEMPLATES_DIR');
  if (!dir) return null;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError('MAIL_TEMPLATES_DIR', `"${dir}" is not a directory`);
  }
  return dir;
}

function readAppUrl(env: RawEnv): string {
  const raw = readOptional(env, 'APP_URL');
  if (!raw) return loadOAuthConfig(env).publicUrl;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('APP_URL', `"${raw}" is not a URL like https://app.example.com`);
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(
      'APP_URL',
      `"${raw}" must be an http(s) URL without query or credentials`,
    );
  }
  return raw.replace(/\/+$/, '');
}

export function loadMailConfig(env: RawEnv): MailConfig {
  return {
    smtpUrl: readSmtpUrl(env),
    from: readFrom(env),
    templatesDir: readTemplatesDir(env),
    outboxDir: readOptional(env, 'MAIL_OUTBOX_DIR') ?? DEFAULT_OUTBOX_DIR,
    maxAttempts: readInt(env, 'MAIL_MAX_ATTEMPTS', 8, 1, 100),
    pollInterval: readDuration(env, 'MAIL_POLL_INTERVAL', '1s', { max: 300 }),
    appUrl: readAppUrl(env),
    passwordResetTtl: readDuration(env, 'PASSWORD_RESET_TTL', '30m', { max: 86400 }),
    emailVerifyTtl: readDuration(env, 'EMAIL_VERIFY_TTL', '24h', { max: 30 * 86400 }),
    requireVerifiedEmail: readBoolean(env, 'REQUIRE_VERIFIED_EMAIL', false),
    mailRateLimit: parseRateLimit(
      readOptional(env, 'MAIL_RATE_LIMIT') ?? DEFAULT_MAIL_RATE_LIMIT,
      'MAIL_RATE_LIMIT',
    ),
    logLinks: !isProduction(env),
  };
}

export const mailConfig = registerAs('mail', () => loadMailConfig(process.env));
