import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IsNewPassword } from './password.validator';

export class ResetPasswordDto {
  @ApiProperty({
    example: 'mC0rSg1b6Vb1xqJ3m6bq2Yw0vXhR4u9kz2M6n8p0aQs',
    description: 'The token of the reset link (43 base64url characters)',
    maxLength: 100,
  })
  @IsString()
  @MaxLength(100)
  token: string;

  @ApiProperty({
    example: 'a new correct horse',
    description: '8 to 72 UTF-8 bytes, no NUL character (as at register)',
  })
  @IsNewPassword()
  password: string;
}
