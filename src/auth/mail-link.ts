import { createHash, randomBytes } from 'node:crypto';

/**
 * The single-use tokens of mailed links (password reset, email verification): 32 random
 * bytes, base64url in the link (43 characters). The database keeps only their SHA-256.
 */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const newLinkToken = (): string => randomBytes(32).toString('base64url');

export const hashLinkToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

/** "30 minutes", "24 hours": how long a link works, as the mail says it. */
export function humanDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}
