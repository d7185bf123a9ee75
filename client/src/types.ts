import type { BroadcastChannelLike, LockManagerLike } from './coordination.js';
import type { AuthError, LoginRequiredError } from './errors.js';
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

/** The second factors the server offers for a challenge. */
export type MfaMethod = 'totp' | 'recovery_code';

/**
 * A login that needs a second factor: the password was right, and the server answered
 * `{mfaRequired: true, mfaToken, mfaTokenExpiresIn, methods}` instead of a token pair. The
 * `mfaToken` is single-use, bound to the user and short-lived (`expiresAt`, epoch ms by the
 * client's clock); it survives up to 5 wrong codes. The client never stores it.
 */
export interface MfaChallenge {
  mfaToken: string;
  methods: MfaMethod[];
  /** Seconds the challenge lived when the server issued it (300). */
  expiresIn: number;
  /** When it ends, in epoch milliseconds by the client's clock. */
  expiresAt: number;
}

/** What completes a challenge: a 6-digit TOTP code, or one of the recovery codes. */
export type MfaAnswer = { code: string } | { recoveryCode: string };

/**
 * Asked for the second factor during `login()`. `retry` is set when the previous answer was a
 * wrong (or replayed) code; the challenge is still usable then. Returning null or undefined
 * gives up: `login()` rejects with `MfaRequiredError`, whose `challenge` `verifyMfa` can still
 * complete.
 */
export type MfaPrompt = (
  challenge: MfaChallenge,
  retry?: { error: AuthError; attempt: number },
) => MfaAnswer | null | undefined | Promise<MfaAnswer | null | undefined>;

/** The answer to `POST /api/auth/mfa/totp/setup`: the new, not yet active secret. */
export interface TotpSetup {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  /** `otpauth://totp/…`, the QR code's content. */
  otpauthUrl: string;
  /** The QR code as a `data:image/png;base64,…` URL (for an `<img src>`). */
  qrCodeDataUrl: string;
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
  /**
   * Asked for the second factor when `login()` meets a user with MFA; `login()` then verifies
   * the answer and resolves to the user. Without it, `login()` rejects with `MfaRequiredError`
   * and the app completes the login with `verifyMfa(error.challenge, answer)`.
   */
  onMfaRequired?: MfaPrompt;
}

export interface AuthEvents {
  /** The stored tokens changed through this client (null: cleared). */
  tokens: StoredTokens | null;
  /** The session is over; show the login screen. Emitted once per ended session. */
  loginRequired: LoginRequiredError;
}
