import type { MfaChallenge } from './types.js';

/**
 * An error answer of the server (`{statusCode, error, code, message}`), or a client-side
 * condition with a code of its own (`status` 0 then).
 */
export class AuthError extends Error {
  override name = 'AuthError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }

  /** Reads an error response into an AuthError (the body is consumed). */
  static async fromResponse(res: Response): Promise<AuthError> {
    return AuthError.fromText(res.status, await res.text());
  }

  static fromText(status: number, text: string): AuthError {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): keep the text.
    }
    const fields = (body && typeof body === 'object' ? body : {}) as {
      code?: unknown;
      message?: unknown;
    };
    const code = typeof fields.code === 'string' ? fields.code : `http_${status}`;
    const message = Array.isArray(fields.message)
      ? fields.message.join('; ')
      : typeof fields.message === 'string'
        ? fields.message
        : `HTTP ${status}`;
    return new AuthError(status, code, message, body);
  }
}

/**
 * The session is over: the refresh token expired, was revoked or reused, the account was
 * disabled, or the tokens were removed (logout in another tab). The client has cleared its
 * tokens and emitted `loginRequired`; the user has to log in again.
 */
export class LoginRequiredError extends AuthError {
  override name = 'LoginRequiredError';
}

/**
 * `login()` met a user with a second factor and had no `onMfaRequired` to ask (or it gave up):
 * the password was right, no tokens are stored yet. Complete the login with
 * `verifyMfa(error.challenge, {code})` (or `{recoveryCode}`). `status` is the server's 200.
 */
export class MfaRequiredError extends AuthError {
  override name = 'MfaRequiredError';

  constructor(readonly challenge: MfaChallenge) {
    super(200, 'mfa_required', 'A second factor is required: call verifyMfa(challenge, {code})');
  }
}

/**
 * 401 `mfa_code_invalid`: the code was wrong, already used (a TOTP code counts once), or a
 * used recovery code. The challenge stays usable for a few more tries (5 wrong in all).
 */
export class MfaCodeInvalidError extends AuthError {
  override name = 'MfaCodeInvalidError';
}

/**
 * 401 `mfa_token_invalid`: the challenge is over (expired after 5 minutes, already completed,
 * or voided by too many wrong codes). The user has to log in with the password again.
 */
export class MfaTokenInvalidError extends AuthError {
  override name = 'MfaTokenInvalidError';
}

/**
 * 401 `mfa_required` or `reauthentication_required` from a step-up route: the session is fine
 * but was not proven with a second factor, or not recently enough. `reauthenticate()` (with a
 * code for `mfa_required`) and a retry; nothing was cleared.
 */
export class StepUpRequiredError extends AuthError {
  override name = 'StepUpRequiredError';
}

const SUBCLASSES: Record<string, typeof AuthError> = {
  mfa_code_invalid: MfaCodeInvalidError,
  mfa_token_invalid: MfaTokenInvalidError,
  mfa_required: StepUpRequiredError,
  reauthentication_required: StepUpRequiredError,
};

/** An AuthError as the subclass its code has, if any. */
export function typedError(error: AuthError): AuthError {
  const subclass = error.status === 401 ? SUBCLASSES[error.code] : undefined;
  return subclass ? new subclass(error.status, error.code, error.message, error.body) : error;
}

/** The server's codes after which no refresh can help. */
export const SESSION_OVER_CODES: ReadonlySet<string> = new Set([
  'refresh_token_missing',
  'refresh_token_invalid',
  'refresh_token_expired',
  'refresh_token_revoked',
  'refresh_token_reused',
  'token_revoked',
  'user_disabled',
]);

/** The `code` of an error body, or null. */
export function errorCode(text: string): string | null {
  try {
    const body = JSON.parse(text) as { code?: unknown } | null;
    return body && typeof body.code === 'string' ? body.code : null;
  } catch {
    return null;
  }
}
