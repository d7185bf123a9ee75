import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../auth/dto/email.transform';

/** Route metadata: which rules a `@RateLimit(...)` route counts against. */
export const RATE_LIMIT_KEY = 'rateLimit';

/** The routes that carry `@RateLimit(...)`; each has its rules below. */
export type RateLimitedRoute =
  | 'login'
  | 'register'
  | 'refresh'
  | 'change-password'
  | 'password-forgot'
  | 'password-reset'
  | 'email-verify'
  | 'email-resend'
  | 'mfa-verify'
  | 'reauthenticate';

/**
 * One counter per route and key. `limit` is `multiplier` × N of `AUTH_RATE_LIMIT`, over its
 * window, or with `budget: 'mail'` `multiplier` × N of `MAIL_RATE_LIMIT` over that window.
 * `key` says what is counted; `undefined` means this rule does not count the request.
 */
export interface RateLimitRule {
  /** Part of the storage key: renaming a rule resets its counts. */
  name: string;
  route: RateLimitedRoute;
  multiplier: number;
  budget?: 'auth' | 'mail';
  /**
   * Exhausted, the request is not refused but goes on marked (`@RateLimited()` tells the
   * handler), so an enumeration-safe route can answer as it always does and do nothing.
   */
  quiet?: boolean;
  /**
   * Counted after authentication, in the route-level pass of the guard that `@RateLimit` adds
   * (the key reads the authenticated caller, undefined in the global pass before it).
   */
  afterAuth?: boolean;
  key: (request: FastifyRequest) => string | undefined;
}

/**
 * The authenticated caller's user id, set by the access-token guard; undefined before it. For
 * `afterAuth` rules: a forged token cannot spend someone else's budget.
 */
export function authenticatedUserId(request: FastifyRequest): string | undefined {
  return (request as FastifyRequest & { user?: { id?: unknown } }).user?.id as string | undefined;
}

/**
 * The storage key of a rule's count: the rule name plus a hash of what is counted, stable
 * across instances and releases (not tied to class or method names), and Redis never holds
 * client emails or IPs in clear.
 */
export function rateLimitKey(ruleName: string, tracker: string): string {
  return `auth-rate:${ruleName}:${createHash('sha256').update(tracker).digest('base64url')}`;
}

/**
 * The client IP as Fastify resolved it: the socket's, or from X-Forwarded-For only as far as
 * TRUST_PROXY allows, so a client cannot pick its own key. IPv6 counts per /64 (what one
 * subscriber gets), IPv4-mapped IPv6 as the IPv4 address.
 */
export function clientIp(request: FastifyRequest): string {
  return normalizeIp(request.ip);
}

/**
 * The body's email spelled as the app stores it (trimmed, NFC, lower-case), so case or
 * Unicode variants of one address share one counter. Guards run before validation: any body
 * may arrive here, and one without a string email is left to the per-IP rule and its 400.
 */
export function bodyEmail(request: FastifyRequest): string | undefined {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const email = (body as { email?: unknown }).email;
  return typeof email === 'string' ? normalizeEmail(email) : undefined;
}

/**
 * The `sid` claim (session id) of the request's bearer token, read without verifying it: the
 * rate-limit guard runs before authentication. A forged token is refused (401) before it can
 * try anything; it can use up only the budget of a session whose id it names, and a session id
 * is a random UUID carried by that session's own tokens (and shown to its owner). Refreshing
 * keeps the session, so new access tokens do not reset the count.
 */
export function bearerSessionId(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
  const payload = header.slice(7).split('.')[1];
  if (payload === undefined || payload.length > 4096) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const sid = (claims as { sid?: unknown } | null)?.sid;
    return typeof sid === 'string' ? sid : undefined;
  } catch {
    return undefined;
  }
}

export const RATE_LIMIT_RULES: readonly RateLimitRule[] = [
  // Guessing one account's password: N per window per (client IP, email).
  {
    name: 'login-ip-email',
    route: 'login',
    multiplier: 1,
    key: (request) => {
      const email = bodyEmail(request);
      return email === undefined ? undefined : `${clientIp(request)} ${email}`;
    },
  },
  // Beyond the contract: without it one IP could try N passwords on each of any number of
  // emails (credential stuffing, password spraying). 10×N leaves room for a shared NAT.
  { name: 'login-ip', route: 'login', multiplier: 10, key: clientIp },
  { name: 'register-ip', route: 'register', multiplier: 1, key: clientIp },
  // Beyond the contract: each forgot request may send a mail; each reset spends bcrypt.
  { name: 'password-forgot-ip', route: 'password-forgot', multiplier: 1, key: clientIp },
  // Mails to one address, from any number of IPs: exhausted, forgot still answers 202 (the
  // limit would otherwise tell which addresses have accounts) but sends nothing.
  {
    name: 'password-forgot-email',
    route: 'password-forgot',
    multiplier: 1,
    budget: 'mail',
    quiet: true,
    key: bodyEmail,
  },
  // Verification mails to the caller's own address, and per IP; after authentication.
  {
    name: 'email-resend-user',
    route: 'email-resend',
    multiplier: 1,
    budget: 'mail',
    afterAuth: true,
    key: authenticatedUserId,
  },
  {
    name: 'email-resend-ip',
    route: 'email-resend',
    multiplier: 1,
    afterAuth: true,
    key: (request) => (authenticatedUserId(request) ? clientIp(request) : undefined),
  },
  { name: 'password-reset-ip', route: 'password-reset', multiplier: 1, key: clientIp },
  // Guessing link tokens is hopeless (256 bits), but each try costs a lookup.
  { name: 'email-verify-ip', route: 'email-verify', multiplier: 1, key: clientIp },
  // Login's second step, per IP; wrong codes are also limited per user (MFA_RATE_LIMIT, in
  // the database, over every mfa token).
  { name: 'mfa-verify-ip', route: 'mfa-verify', multiplier: 1, key: clientIp },
  // Reauthenticate checks the password (and a code): per session, like change-password.
  {
    name: 'reauthenticate-session',
    route: 'reauthenticate',
    multiplier: 1,
    key: bearerSessionId,
  },
  // Refreshing is routine (every access-token lifetime, per tab), hence the larger budget.
  { name: 'refresh-ip', route: 'refresh', multiplier: 10, key: clientIp },
  // Beyond the contract: change-password verifies the current password, so a stolen access
  // token would otherwise let its holder guess that password at bcrypt's pace. N per window
  // per session, from any number of IPs.
  {
    name: 'change-password-session',
    route: 'change-password',
    multiplier: 1,
    key: bearerSessionId,
  },
];
