import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class VerifyEmailDto {
  @ApiProperty({
    example: 'Q2hlY2sgeW91ciBtYWlsYm94IGZvciB0aGUgbGluayE',
    description: 'The token of the verification link (43 base64url characters)',
    maxLength: 100,
  })
  @IsString()
  @MaxLength(100)
  token: string;
}
