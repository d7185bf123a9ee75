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
