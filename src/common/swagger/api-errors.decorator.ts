import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { STATUS_CODES } from 'node:http';
import { ERROR_STATUS, ErrorCode } from '../errors';
import { ErrorResponseDto } from './error-response.dto';

/** What the server says with each code (validation_failed lists one message per field). */
const EXAMPLE_MESSAGES: Record<ErrorCode, string | string[]> = {
  [ErrorCode.ValidationFailed]: ['email must be an email'],
  [ErrorCode.PasswordTooLong]: 'password must be at most 72 UTF-8 bytes',
  [ErrorCode.InvalidCredentials]: 'Invalid email or password',
  [ErrorCode.TokenMissing]: 'Bearer access token required',
  [ErrorCode.TokenInvalid]: 'Access token is invalid',
  [ErrorCode.TokenExpired]: 'Access token has expired',
  [ErrorCode.TokenRevoked]: 'Session has ended',
  [ErrorCode.UserDisabled]: 'Account is disabled',
  [ErrorCode.RefreshTokenMissing]: 'Refresh token required in body or cookie',
  [ErrorCode.RefreshTokenInvalid]: 'Refresh token is invalid',
  [ErrorCode.RefreshTokenExpired]: 'Refresh token has expired',
  [ErrorCode.RefreshTokenRevoked]: 'Refresh token has been revoked',
  [ErrorCode.RefreshTokenReused]: 'Refresh token was already used; the session has been revoked',
  [ErrorCode.Forbidden]: 'You do not have permission for this action',
  [ErrorCode.InvalidCurrentPassword]: 'Current password is wrong',
  [ErrorCode.NotFound]: 'Not found',
  [ErrorCode.EmailTaken]: 'Email is already registered',
  [ErrorCode.InvalidClient]: 'Client authentication failed',
  [ErrorCode.ResetTokenInvalid]: 'Reset token is invalid or expired',
  [ErrorCode.VerificationTokenInvalid]: 'Verification token is invalid or expired',
  [ErrorCode.EmailNotVerified]: 'Email address is not verified',
  [ErrorCode.EmailAlreadyVerified]: 'Email address is already verified',
  [ErrorCode.MfaCodeInvalid]: 'The code is wrong or was used already',
  [ErrorCode.MfaTokenInvalid]: 'The mfa token is invalid or expired; log in again',
  [ErrorCode.MfaRequired]: 'This action needs a session proven with a second factor',
  [ErrorCode.ReauthenticationRequired]: 'This action needs a recent login; reauthenticate',
  [ErrorCode.MfaAlreadyEnabled]: 'Two-factor authentication is enabled already',
  [ErrorCode.MfaNotEnabled]: 'No two-factor authentication to confirm or remove',
  [ErrorCode.Conflict]: 'Conflict',
  [ErrorCode.RequestTimeout]: 'Request timed out',
  [ErrorCode.HeadersTooLarge]: 'Request headers too large',
  [ErrorCode.MethodNotAllowed]: 'Method not allowed',
  [ErrorCode.PayloadTooLarge]: 'Request body exceeds 102400 bytes',
  [ErrorCode.UnsupportedMediaType]: 'Request body must be sent as application/json',
  [ErrorCode.TooManyRequests]: 'Too many attempts; retry in 60 seconds',
  [ErrorCode.InternalError]: 'Internal server error',
  [ErrorCode.ServiceUnavailable]: 'Service temporarily unavailable',
};

/**
 * The OpenAPI response for one status: the error schema and one example per code, which
 * Swagger UI offers in a drop-down named by code.
 */
export function errorResponse(status: number, codes: ErrorCode[]): ResponseObject {
  return {
    description: codes.map((code) => `\`${code}\``).join(', '),
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ErrorResponseDto) },
        examples: Object.fromEntries(
          codes.map((code) => [
            code,
            {
              summary: code,
              value: {
                statusCode: status,
                error: STATUS_CODES[status],
                code,
                message: EXAMPLE_MESSAGES[code],
              },
            },
          ]),
        ),
      },
    },
  };
}

export function groupByStatus(codes: ErrorCode[]): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

/**
 * Documents the error responses a route can give, grouped by status, one example per code:
 * `@ApiErrors(ErrorCode.NotFound, ErrorCode.Forbidden)`.
 */
export function ApiErrors(...codes: ErrorCode[]) {
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...[...groupByStatus(codes)].map(([status, group]) =>
      ApiResponse({ status, ...errorResponse(status, group) }),
    ),
  );
}
