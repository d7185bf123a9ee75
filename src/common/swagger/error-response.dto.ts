import { ApiProperty } from '@nestjs/swagger';

export class ErrorResponseDto {
  @ApiProperty({ example: 401 })
  statusCode: number;

  @ApiProperty({ example: 'Unauthorized' })
  error: string;

  @ApiProperty({ example: 'token_expired', description: 'Stable machine-readable code' })
  code: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'Access token has expired',
    description: 'A string, or for validation_failed an array of strings naming each field',
  })
  message: string | string[];

  @ApiProperty({
    required: false,
    example: '0b6f3c1e-7a52-4c8e-9d2f-5e1a4b7c9d30',
    description:
      "The request's id, also its X-Request-Id response header and on its log lines: quote it " +
      'in a report. The caller may choose it by sending X-Request-Id (1-64 of A-Z a-z 0-9 . _ -).',
  })
  requestId?: string;
}
