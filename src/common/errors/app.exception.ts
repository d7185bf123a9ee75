import { HttpException } from '@nestjs/common';
import { ERROR_STATUS, ErrorCode } from './error-code.enum';

/**
 * The one exception services throw: a contract `code`, a human message, and the status that
 * goes with the code. `bearerChallenge` marks a 401 raised while checking an access token, so
 * the filter adds `WWW-Authenticate: Bearer` (RFC 6750).
 */
export class AppException extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string | string[],
    status: number = ERROR_STATUS[code],
    readonly bearerChallenge = false,
  ) {
    super({ code, message }, status);
  }

  /** Seconds the filter sends as `Retry-After` (a 503 without it gets 5). */
  retryAfter?: number;

  /** A `WWW-Authenticate` challenge other than the bearer one (OAuth's `Basic`). */
  challenge?: string;

  withChallenge(challenge: string): this {
    this.challenge = challenge;
    return this;
  }

  withRetryAfter(seconds: number): this {
    this.retryAfter = seconds;
    return this;
  }

  get details(): string | string[] {
    return (this.getResponse() as { message: string | string[] }).message;
  }
}
