import type { StoredTokens } from './types.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * Where the tokens live. Synchronous or asynchronous; tabs that share one (localStorage) share
 * one session, and then refreshes are coordinated across them (see coordination.ts).
 */
export interface TokenStorage {
  get(key: string): MaybePromise<string | null>;
  set(key: string, value: string): MaybePromise<void>;
  remove(key: string): MaybePromise<void>;
}

/** Tokens in a Map: gone with the page or process. The default. */
export function memoryStorage(): TokenStorage {
  const entries = new Map<string, string>();
  return {
    get: (key) => entries.get(key) ?? null,
    set: (key, value) => {
      entries.set(key, value);
    },
    remove: (key) => {
      entries.delete(key);
    },
  };
}

/** A Web Storage object (`localStorage` by default): shared by every tab of the origin. */
export function localStorageAdapter(target?: Storage): TokenStorage {
  const store = (): Storage => {
    const resolved = target ?? globalThis.localStorage;
    if (!resolved) throw new Error('localStorage is not available here');
    return resolved;
  };
  return {
    get: (key) => store().getItem(key),
    set: (key, value) => store().setItem(key, value),
    remove: (key) => store().removeItem(key),
  };
}

/** Parses a stored entry; anything malformed counts as no tokens. */
export function parseTokens(raw: string | null): StoredTokens | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<StoredTokens> | null;
    if (
      value &&
      typeof value.accessToken === 'string' &&
      (typeof value.refreshToken === 'string' || value.refreshToken === null) &&
      typeof value.expiresAt === 'number'
    ) {
      return {
        accessToken: value.accessToken,
        refreshToken: value.refreshToken,
        expiresAt: value.expiresAt,
      };
    }
  } catch {
    // Not JSON: treated as logged out.
  }
  return null;
}
