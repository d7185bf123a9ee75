import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { NormalizeEmail } from './email.transform';
import { IsNewPassword } from './password.validator';

export class RegisterDto {
  @ApiProperty({ example: 'ann@example.com', maxLength: 254 })
  @NormalizeEmail()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery', description: '8 to 72 UTF-8 bytes' })
  @IsNewPassword()
  password: string;

  @ApiPropertyOptional({ example: 'Ann', minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;
}
