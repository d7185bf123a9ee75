import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { NormalizeEmail } from './email.transform';
import { IsPresentedPassword } from './password.validator';

export class LoginDto {
  @ApiProperty({ example: 'ann@example.com' })
  @NormalizeEmail()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsPresentedPassword()
  password: string;
}
