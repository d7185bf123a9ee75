import { Transform } from 'class-transformer';

/** Emails are trimmed and lower-cased before validation and lookup. */
export const NormalizeEmail = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
