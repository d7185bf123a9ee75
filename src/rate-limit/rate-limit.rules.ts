import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { normalizeEmail } from '../auth/dto/email.transform';

/** The routes that carry `@RateLimit(...)`; each has its rules below. */
export type RateLimitedRoute = 'login' | 'register' | 'refresh';

/**
 * One counter per route and key. `limit` is `multiplier` × N of `AUTH_RATE_LIMIT`, over its
 * window. `key` says what is counted; `undefined` means this rule does not count the request.
 */
export interface RateLimitRule {
  /** Part of the storage key: renaming a rule resets its counts. */
  name: string;
  route: RateLimitedRoute;
  multiplier: number;
  key: (request: FastifyRequest) => string | undefined;
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
  // Refreshing is routine (every access-token lifetime, per tab), hence the larger budget.
  { name: 'refresh-ip', route: 'refresh', multiplier: 10, key: clientIp },
];
