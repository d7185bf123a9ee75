import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { UserResponseDto } from '../../users/dto/user-response.dto';
import { IsPresentedPassword } from '../dto/password.validator';

const CODE = /^\d{6}$/;
const CODE_MESSAGE = 'code must be the 6 digits the authenticator app shows';

export class TotpCodeDto {
  @ApiProperty({ example: '123456', description: 'The 6 digits the authenticator app shows' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  code: string;
}

export class RemoveTotpDto extends TotpCodeDto {
  @ApiProperty({ example: 'correct horse battery' })
  @IsPresentedPassword()
  password: string;
}

export class ReauthenticateDto {
  @ApiProperty({ example: 'correct horse battery' })
  @IsPresentedPassword()
  password: string;

  @ApiPropertyOptional({
    example: '123456',
    description: 'Required when the account has two-factor authentication',
  })
  @IsOptional()
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  code?: string;
}

export class MfaVerifyDto {
  @ApiProperty({
    example: 'mC0rSg1b6Vb1xqJ3m6bq2Yw0vXhR4u9kz2M6n8p0aQs',
    description: "The login answer's mfaToken",
    maxLength: 100,
  })
  @IsString()
  @MaxLength(100)
  mfaToken: string;

  @ApiPropertyOptional({ example: '123456', description: 'A TOTP code (or send recoveryCode)' })
  @IsOptional()
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  code?: string;

  @ApiPropertyOptional({
    example: 'abcd-efgh-ijkm-nopq',
    description: 'One of the recovery codes (instead of code); each works once',
    maxLength: 40,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  recoveryCode?: string;
}

export class TotpSetupDto {
  @ApiProperty({
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    description: 'Base32, for typing in',
  })
  secret: string;

  @ApiProperty({
    example: 'otpauth://totp/Auth%20Service:ann%40example.com?secret=JBSW…&issuer=Auth%20Service',
  })
  otpauthUrl: string;

  @ApiProperty({
    example: 'data:image/png;base64,iVBORw0KGgo…',
    description: 'The URI as a QR code',
  })
  qrCodeDataUrl: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    example: ['abcd-efgh-ijkm-nopq', '…'],
    description: 'Shown once: each works once instead of a code; only their hashes are kept',
  })
  recoveryCodes: string[];
}

/** Register's answer under REQUIRE_VERIFIED_EMAIL: the account, no session. */
export class VerificationPendingDto {
  @ApiProperty({ type: UserResponseDto })
  user: UserResponseDto;

  @ApiProperty({ example: true, description: 'Verify the address, then log in' })
  emailVerificationRequired: true;
}

export class MfaChallengeDto {
  @ApiProperty({ example: true })
  mfaRequired: true;

  @ApiProperty({ example: 'mC0rSg1b6Vb1xqJ3m6bq2Yw0vXhR4u9kz2M6n8p0aQs' })
  mfaToken: string;

  @ApiProperty({ example: 300, description: 'Seconds the mfa token works (single use)' })
  mfaTokenExpiresIn: number;

  @ApiProperty({ example: ['totp', 'recovery_code'] })
  methods: string[];
}
