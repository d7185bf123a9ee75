import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { SingleLine, TextLength } from '../../common/dto/text-length.decorator';
import { NormalizeEmail } from './email.transform';
import { IsNewPassword } from './password.validator';

export class RegisterDto {
  @ApiProperty({ example: 'ann@example.com', maxLength: 254 })
  @NormalizeEmail()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({
    example: 'correct horse battery',
    description: '8 to 72 UTF-8 bytes, no NUL character',
  })
  @IsNewPassword()
  password: string;

  @ApiPropertyOptional({ example: 'Ann', minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @TextLength(1, 100)
  @SingleLine()
  name?: string;
}
