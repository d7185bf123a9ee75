import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { STATUS_CODES } from 'node:http';
import { ERROR_STATUS, ErrorCode } from '../errors';
import { ErrorResponseDto } from './error-response.dto';

/** The OpenAPI response for one status: the error schema and one example per code. */
export function errorResponse(status: number, codes: ErrorCode[]): ResponseObject {
  return {
    description: codes.map((code) => `\`${code}\``).join(', '),
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ErrorResponseDto) },
        examples: Object.fromEntries(
          codes.map((code) => [
            code,
            { value: { statusCode: status, error: STATUS_CODES[status], code, message: '…' } },
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
