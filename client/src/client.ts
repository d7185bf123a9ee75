import { chooseCoordinator, type Coordinator } from './coordination.js';
import {
  AuthError,
  errorCode,
  LoginRequiredError,
  MfaCodeInvalidError,
  MfaRequiredError,
  SESSION_OVER_CODES,
  typedError,
} from './errors.js';
import { Emitter } from './events.js';
import { memoryStorage, parseTokens, type TokenStorage } from './storage.js';
import type {
  AuthClientOptions,
  AuthEvents,
  AuthUser,
  FetchLike,
  LoginInput,
  MfaAnswer,
  MfaChallenge,
  MfaMethod,
  RegisterInput,
  StoredTokens,
  TokenPair,
  TotpSetup,
} from './types.js';

/** The login answer for a user with a second factor, instead of a token pair. */
interface MfaRequiredBody {
  mfaRequired: true;
  mfaToken: string;
  mfaTokenExpiresIn?: number;
  methods?: MfaMethod[];
}

/** Creates a client; see README.md for the coordination it does. */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  return new AuthClient(options);
}

export class AuthClient {
  private readonly baseUrl: string;
  private readonly origin: string;
  private readonly authUrl: string;
  private readonly storage: TokenStorage;
  private readonly key: string;
  private readonly cookieMode: boolean;
  private readonly credentials: RequestCredentials | undefined;
  private readonly fetchImpl: FetchLike;
  private readonly coordinator: Coordinator;
  private readonly events = new Emitter<AuthEvents>();
  /** The one refresh this client has in flight: every caller that needs one awaits it. */
  private inflight: Promise<StoredTokens> | null = null;
  /** Access tokens this client declared dead, and whether it said so since it last saw live ones. */
  private readonly dead = new Set<string>();
  private notified = false;
  /** Whether this client has had a session, so that storage found empty means "logged out". */
  private hadSession = false;

  constructor(private readonly options: AuthClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.authUrl = this.baseUrl + (options.authPath ?? '/api/auth').replace(/\/+$/, '');
    this.storage = options.storage ?? memoryStorage();
    this.key = options.storageKey ?? `nest-auth:${this.baseUrl}`;
    this.cookieMode = options.refreshTokenIn === 'cookie';
    this.credentials = options.credentials ?? (this.cookieMode ? 'include' : undefined);
    const custom = options.fetch;
    this.fetchImpl = custom ?? ((input, init) => globalThis.fetch(input, init));
    this.coordinator = chooseCoordinator(options, `auth-refresh:${this.key}`);
  }

  /** How refreshes are coordinated across tabs: `locks`, `broadcast` or `none`. */
  get coordination(): Coordinator['kind'] {
    return this.coordinator.kind;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof AuthEvents>(event: E, handler: (payload: AuthEvents[E]) => void): () => void {
    return this.events.on(event, handler);
  }

  /** Creates an account and stores its first session's tokens. */
  register(input: RegisterInput): Promise<AuthUser> {
    return this.start('register', input);
  }

  /**
   * Logs in and stores the new session's tokens. For a user with a second factor it asks
   * `onMfaRequired` and verifies its answer; without that option it rejects with
   * `MfaRequiredError`, whose `challenge` `verifyMfa` completes.
   */
  login(input: LoginInput): Promise<AuthUser> {
    return this.start('login', input);
  }

  /**
   * Completes a login that needs a second factor (`POST /api/auth/mfa/verify`) and stores the
   * session's tokens as `login()` does. Rejects with `MfaCodeInvalidError` (wrong or replayed
   * code: the challenge may be tried again), `MfaTokenInvalidError` (the challenge is over: log
   * in again) or `AuthError` (`too_many_requests`, …); nothing is stored then.
   */
  async verifyMfa(challenge: MfaChallenge | string, answer: MfaAnswer): Promise<AuthUser> {
    const mfaToken = typeof challenge === 'string' ? challenge : challenge.mfaToken;
    const factor =
      'recoveryCode' in answer ? { recoveryCode: answer.recoveryCode } : { code: answer.code };
    const res = await this.authRequest('mfa/verify', { mfaToken, ...factor });
    if (!res.ok) throw typedError(await AuthError.fromResponse(res));
    const pair = (await res.json()) as TokenPair;
    await this.saveTokens(this.toStored(pair));
    return pair.user;
  }

  /**
   * Starts TOTP enrolment for the logged-in user: a new secret, not active until
   * `confirmTotp` with a code from it.
   */
  async setupTotp(): Promise<TotpSetup> {
    return (await this.call('POST', 'mfa/totp/setup')) as TotpSetup;
  }

  /** Activates the secret of `setupTotp`; resolves to the 10 recovery codes (shown once). */
  async confirmTotp(code: string): Promise<string[]> {
    const body = (await this.call('POST', 'mfa/totp/confirm', { code })) as {
      recoveryCodes: string[];
    };
    return body.recoveryCodes;
  }

  /** Removes the second factor (needs the password and a current code). */
  async disableTotp(input: { password: string; code: string }): Promise<void> {
    await this.call('DELETE', 'mfa/totp', input);
  }

  /**
   * Proves the user again for the current session (`POST /api/auth/reauthenticate`), after a
   * step-up route answered `StepUpRequiredError`; pass `code` when the user has a second factor.
   */
  async reauthenticate(input: { password: string; code?: string }): Promise<void> {
    await this.call('POST', 'reauthenticate', input);
  }

  /** Ends this session on the server and clears the tokens (also when the server fails). */
  async logout(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    await this.coordinator.run(async () => {
      const tokens = await this.readTokens();
      try {
        if (!tokens && !this.cookieMode) return;
        const res = await this.authRequest('logout', this.refreshBody(tokens));
        // 401: the session had already ended (expired, revoked) — what logout asks for.
        if (!res.ok && res.status !== 401) throw await AuthError.fromResponse(res);
        await res.body?.cancel();
      } finally {
        await this.clearTokens(true);
      }
    });
  }

  /** Ends every session of the user (this one included) and clears the tokens. */
  async logoutAll(): Promise<void> {
    try {
      const res = await this.fetch(`${this.authUrl}/logout-all`, { method: 'POST' });
      if (!res.ok) throw await AuthError.fromResponse(res);
      await res.body?.cancel();
    } finally {
      await this.clearTokens(true);
    }
  }

  /** The stored tokens, or null when logged out. */
  getTokens(): Promise<StoredTokens | null> {
    return this.readTokens();
  }

  /** Refreshes now (shared with any refresh already under way). */
  async refresh(): Promise<StoredTokens> {
    const tokens = await this.readTokens();
    if (!tokens) throw await this.loggedOut(null);
    return this.refreshFrom(tokens);
  }

  /**
   * `fetch` with `Authorization: Bearer <access token>` for URLs of `baseUrl`'s origin (a path
   * like `/api/users/me` is resolved against it). On 401 `token_expired` it refreshes once and
   * retries once. Rejects with LoginRequiredError when the session is over. The body in `init`
   * is sent again on the retry, so it must not be a one-shot stream.
   */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url =
      typeof input === 'string' && input.startsWith('/') ? this.baseUrl + input : `${input}`;
    if (new URL(url).origin !== this.origin || new Headers(init.headers).has('authorization')) {
      return this.fetchImpl(url, init);
    }
    let tokens = await this.readTokens();
    if (!tokens && this.hadSession && !this.notified) {
      // Logged out in another tab: say so once; the request still goes out, without a token.
      tokens = await this.sessionOver(
        null,
        new LoginRequiredError(0, 'not_logged_in', 'Not logged in'),
      );
    }
    if (tokens && this.options.proactiveRefresh !== false && this.isExpired(tokens)) {
      tokens = await this.refreshFrom(tokens);
    }
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(url, init, tokens);
      if (res.status !== 401 || !tokens) return res;
      const text = await res.text();
      const code = errorCode(text);
      if (code === 'token_expired' && attempt === 0) {
        tokens = await this.tokensAfterExpiry(tokens);
        continue;
      }
      if (code !== null && SESSION_OVER_CODES.has(code)) {
        const parsed = AuthError.fromText(401, text);
        const over = new LoginRequiredError(401, parsed.code, parsed.message, parsed.body);
        const newer = await this.sessionOver(tokens, over);
        if (newer && attempt === 0) {
          tokens = newer;
          continue;
        }
        throw over;
      }
      return new Response(text, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    }
  }

  /** Closes the BroadcastChannel, if one is open. */
  close(): void {
    this.coordinator.close();
  }

  private async start(route: 'register' | 'login', input: object): Promise<AuthUser> {
    const res = await this.authRequest(route, input);
    if (!res.ok) throw await AuthError.fromResponse(res);
    const body = (await res.json()) as TokenPair | MfaRequiredBody;
    if ('mfaRequired' in body && body.mfaRequired === true) {
      return this.secondFactor({
        mfaToken: body.mfaToken,
        methods: body.methods ?? ['totp'],
        expiresIn: body.mfaTokenExpiresIn ?? 300,
        expiresAt: Date.now() + (body.mfaTokenExpiresIn ?? 300) * 1000,
      });
    }
    const pair = body as TokenPair;
    await this.saveTokens(this.toStored(pair));
    return pair.user;
  }

  /** Asks `onMfaRequired` until a code works, it gives up, or the challenge is over. */
  private async secondFactor(challenge: MfaChallenge): Promise<AuthUser> {
    const prompt = this.options.onMfaRequired;
    let retry: { error: AuthError; attempt: number } | undefined;
    for (let attempt = 1; prompt; attempt++) {
      const answer = await prompt(challenge, retry);
      if (!answer) break;
      try {
        return await this.verifyMfa(challenge, answer);
      } catch (error) {
        if (!(error instanceof MfaCodeInvalidError)) throw error;
        retry = { error, attempt };
      }
    }
    throw new MfaRequiredError(challenge);
  }

  /** A JSON call to an authenticated auth route through `fetch`; rejects on an error answer. */
  private async call(method: string, route: string, body?: object): Promise<unknown> {
    const init: RequestInit = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const res = await this.fetch(`${this.authUrl}/${route}`, init);
    if (!res.ok) throw typedError(await AuthError.fromResponse(res));
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  }

  private send(url: string, init: RequestInit, tokens: StoredTokens | null): Promise<Response> {
    if (!tokens) return this.fetchImpl(url, init);
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${tokens.accessToken}`);
    return this.fetchImpl(url, { ...init, headers });
  }

  /** After a 401 `token_expired` with `used`: newer tokens another caller stored, or a refresh. */
  private async tokensAfterExpiry(used: StoredTokens): Promise<StoredTokens> {
    const current = await this.readTokens();
    if (!current) throw await this.loggedOut(used);
    if (current.accessToken !== used.accessToken && !this.isExpired(current)) return current;
    return this.refreshFrom(current);
  }

  /** Single flight: one refresh per client at a time, every caller gets its result. */
  private refreshFrom(start: StoredTokens): Promise<StoredTokens> {
    this.inflight ??= this.coordinator
      .run(() => this.refreshExclusive(start))
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  /** Runs while holding the cross-tab lock: re-read, refresh only if nobody else did, write. */
  private async refreshExclusive(start: StoredTokens): Promise<StoredTokens> {
    const current = await this.readTokens();
    if (!current) throw await this.loggedOut(start);
    // Another tab (or client on this storage) refreshed while we waited: use its tokens.
    if (current.accessToken !== start.accessToken && !this.isExpired(current)) return current;
    const timeout = this.options.refreshTimeoutMs ?? 15_000;
    const res = await this.authRequest('refresh', this.refreshBody(current), timeout);
    if (res.ok) {
      const fresh = this.toStored((await res.json()) as TokenPair);
      const now = await this.readTokens();
      // Logged out or in again meanwhile by a writer outside the lock: theirs stands.
      if (!now) throw await this.loggedOut(current);
      if (now.accessToken !== current.accessToken) return now;
      await this.saveTokens(fresh);
      return fresh;
    }
    const error = await AuthError.fromResponse(res);
    if (!SESSION_OVER_CODES.has(error.code)) throw error;
    const over = new LoginRequiredError(error.status, error.code, error.message, error.body);
    const newer = await this.sessionOver(current, over);
    if (newer) return newer;
    throw over;
  }

  /**
   * The session of `dead` is over. Newer tokens in storage (someone logged in again) are
   * returned to try; otherwise storage is cleared and `loginRequired` emitted, once.
   */
  private async sessionOver(
    dead: StoredTokens | null,
    error: LoginRequiredError,
  ): Promise<StoredTokens | null> {
    if (this.dead.size > 32) this.dead.clear();
    if (dead) this.dead.add(dead.accessToken);
    const current = await this.readTokens();
    if (current && current.accessToken !== dead?.accessToken) return current;
    if (current) await this.clearTokens();
    if (!this.notified) {
      this.notified = true;
      this.events.emit('loginRequired', error);
    }
    return null;
  }

  /** The tokens vanished (logout in another tab): the same as a session that ended. */
  private async loggedOut(used: StoredTokens | null): Promise<LoginRequiredError> {
    const error = new LoginRequiredError(0, 'not_logged_in', 'Not logged in');
    if (used || this.hadSession) await this.sessionOver(used, error);
    return error;
  }

  private isExpired(tokens: StoredTokens): boolean {
    return tokens.expiresAt - (this.options.refreshLeewayMs ?? 1000) <= Date.now();
  }

  private refreshBody(tokens: StoredTokens | null): object | undefined {
    return tokens?.refreshToken ? { refreshToken: tokens.refreshToken } : undefined;
  }

  private toStored(pair: TokenPair): StoredTokens {
    return {
      accessToken: pair.accessToken,
      refreshToken: this.cookieMode ? null : pair.refreshToken,
      expiresAt: Date.now() + pair.expiresIn * 1000,
    };
  }

  private authRequest(route: string, body?: object, timeoutMs?: number): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const init: RequestInit = { method: 'POST', headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (this.credentials) init.credentials = this.credentials;
    if (timeoutMs && typeof AbortSignal.timeout === 'function') {
      init.signal = AbortSignal.timeout(timeoutMs);
    }
    return this.fetchImpl(`${this.authUrl}/${route}`, init);
  }

  private async readTokens(): Promise<StoredTokens | null> {
    const tokens = parseTokens(await this.storage.get(this.key));
    if (tokens && !this.dead.has(tokens.accessToken)) {
      this.notified = false;
      this.hadSession = true;
    }
    return tokens;
  }

  private async saveTokens(tokens: StoredTokens): Promise<void> {
    await this.storage.set(this.key, JSON.stringify(tokens));
    this.notified = false;
    this.hadSession = true;
    this.events.emit('tokens', tokens);
  }

  /** `byUser`: an explicit logout, after which failing requests do not ask for a login. */
  private async clearTokens(byUser = false): Promise<void> {
    await this.storage.remove(this.key);
    if (byUser) this.notified = true;
    this.events.emit('tokens', null);
  }
}
