const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a duration such as `90s`, `15m`, `12h`, `7d` or plain seconds (`900`) into whole
 * seconds. Returns `null` for anything else, so callers can name the offending variable.
 */
export function parseDuration(raw: string): number | null {
  const match = /^\s*(\d{1,9})\s*([smhd]?)\s*$/i.exec(raw);
  if (!match) return null;
  const value = Number(match[1]);
  const unit = match[2] ? match[2].toLowerCase() : 's';
  return value * UNIT_SECONDS[unit];
}
