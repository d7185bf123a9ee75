import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ERROR_STATUS, ErrorCode } from '../errors';
import { ErrorResponseDto } from './error-response.dto';

/**
 * Documents the error responses a route can give, grouped by status, one example per code:
 * `@ApiErrors(ErrorCode.NotFound, ErrorCode.Forbidden)`.
 */
export function ApiErrors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...[...byStatus].map(([status, group]) =>
      ApiResponse({
        status,
        description: group.map((code) => `\`${code}\``).join(', '),
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(ErrorResponseDto) },
            examples: Object.fromEntries(
              group.map((code) => [
                code,
                { value: { statusCode: status, error: STATUS_CODES[status], code, message: '…' } },
              ]),
            ),
          },
        },
      }),
    ),
  );
}
