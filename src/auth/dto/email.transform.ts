import { Transform } from 'class-transformer';

export const normalizeEmail = (email: string) => email.trim().normalize('NFC').toLowerCase();

/**
 * Emails are trimmed, put in Unicode NFC (so one address has one spelling) and lower-cased
 * before validation and lookup.
 */
export const NormalizeEmail = () =>
  Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value));
