import { isIP } from 'node:net';
import { ConfigError } from './config-error';
import { parseDuration } from './duration';

/** The raw environment, as read by the config namespaces (the only readers of process.env). */
export type RawEnv = Record<string, string | undefined>;

export function isProduction(env: RawEnv): boolean {
  return env.NODE_ENV === 'production';
}

/** The variable's value, or `undefined` when it is unset or empty. */
export function readOptional(env: RawEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Longest accepted lifetime: ten years, far past any sane setting, well inside Date's range. */
export const MAX_DURATION_SECONDS = 10 * 365 * 86400;

export function readDuration(
  env: RawEnv,
  name: string,
  fallback: string,
  opts: { allowZero?: boolean; max?: number } = {},
): number {
  const raw = readOptional(env, name) ?? fallback;
  const seconds = parseDuration(raw);
  if (seconds === null) {
    throw new ConfigError(name, `"${raw}" is not a duration (use 90s, 15m, 12h, 7d or seconds)`);
  }
  if (seconds === 0 && !opts.allowZero) {
    throw new ConfigError(name, 'must be longer than 0');
  }
  const max = opts.max ?? MAX_DURATION_SECONDS;
  if (seconds > max) throw new ConfigError(name, `"${raw}" is longer than the maximum of ${max} s`);
  return seconds;
}

export function readInt(env: RawEnv, name: string, fallback: number, min: number, max: number) {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `"${raw}" must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

export function readEnum<T extends string>(
  env: RawEnv,
  name: string,
  fallback: T,
  allowed: readonly T[],
): T {
  const raw = readOptional(env, name) ?? fallback;
  if (!allowed.includes(raw as T)) {
    throw new ConfigError(name, `"${raw}" must be one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** A boolean flag: `true` or `false` (any case); unset or empty gives `fallback`. */
export function readBoolean(env: RawEnv, name: string, fallback: boolean): boolean {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (value !== 'true' && value !== 'false') {
    throw new ConfigError(name, `"${raw}" must be true or false`);
  }
  return value === 'true';
}

/** `TRUST_PROXY`: a hop count, or a comma-separated list of addresses / CIDR ranges. */
export function readTrustProxy(env: RawEnv): number | string[] | false {
  const raw = readOptional(env, 'TRUST_PROXY');
  if (raw === undefined) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const badBits = bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits);
    if (!family || badBits || extra !== undefined) {
      throw new ConfigError('TRUST_PROXY', `"${entry}" is neither a hop count nor an IP/CIDR`);
    }
  }
  return entries;
}
