import type { BroadcastChannelLike, LockManagerLike } from './coordination.js';
import type { LoginRequiredError } from './errors.js';
import type { TokenStorage } from './storage.js';

/** The user object of a token pair response. */
export interface AuthUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
}

/** The server's answer to register, login, refresh and change-password. */
export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: AuthUser;
}

/**
 * What the client keeps in storage (as JSON). `expiresAt` is the access token's end in epoch
 * milliseconds by the client's clock; `refreshToken` is null in cookie mode, where the browser
 * holds it in the HttpOnly `refresh_token` cookie instead.
 */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number;
}

export interface RegisterInput {
  email: string;
  password: string;
  name?: string;
}

export interface LoginInput {
  email: string;
  password: string;
}

/** The subset of `fetch` the client calls; inject one to add logging, cookies or counting. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface AuthClientOptions {
  /** The server's origin, e.g. `https://auth.example.com` (routes live under `/api`). */
  baseUrl: string;
  /** Where tokens are kept (default: memory). Tabs sharing one storage share the session. */
  storage?: TokenStorage;
  /** The storage key (default `nest-auth:<baseUrl>`); also names the lock and the channel. */
  storageKey?: string;
  /** Path of the auth routes (default `/api/auth`). */
  authPath?: string;
  /**
   * `body` (default): the refresh token is stored and sent as `{refreshToken}`. `cookie`: it is
   * never stored; the browser sends the HttpOnly `refresh_token` cookie the server sets.
   */
  refreshTokenIn?: 'body' | 'cookie';
  /** `credentials` of the auth requests (default `include` in cookie mode, else fetch's). */
  credentials?: RequestCredentials;
  /** The fetch to use (default the global one). */
  fetch?: FetchLike;
  /** Refresh before sending when the access token is (about to be) expired (default true). */
  proactiveRefresh?: boolean;
  /** How early "about to be" is, in ms (default 1000). */
  refreshLeewayMs?: number;
  /** Abort a refresh request after this many ms (default 15000). */
  refreshTimeoutMs?: number;
  /** Web Locks (default `navigator.locks` when present; `null` turns it off). */
  locks?: LockManagerLike | null;
  /**
   * Opens a BroadcastChannel, used when there are no Web Locks (default: the global
   * BroadcastChannel in a browser page or worker, none elsewhere; `null` turns it off).
   */
  broadcastChannel?: ((name: string) => BroadcastChannelLike) | null;
  /** Claim window of the BroadcastChannel protocol in ms (default 50). */
  claimWindowMs?: number;
}

export interface AuthEvents {
  /** The stored tokens changed through this client (null: cleared). */
  tokens: StoredTokens | null;
  /** The session is over; show the login screen. Emitted once per ended session. */
  loginRequired: LoginRequiredError;
}
