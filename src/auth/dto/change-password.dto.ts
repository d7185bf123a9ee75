import { ApiProperty } from '@nestjs/swagger';
import { IsNewPassword, IsPresentedPassword } from './password.validator';

export class ChangePasswordDto {
  @ApiProperty({ example: 'correct horse battery' })
  @IsPresentedPassword()
  currentPassword: string;

  @ApiProperty({
    example: 'a new long passphrase',
    description: '8 to 72 UTF-8 bytes, no NUL character',
  })
  @IsNewPassword()
  newPassword: string;
}
