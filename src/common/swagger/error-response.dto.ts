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
}
