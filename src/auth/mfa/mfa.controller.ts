import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuditLog } from '../../common/audit/audit-log.service';
import { AppException, ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/swagger/api-errors.decorator';
import { RateLimit } from '../../rate-limit/rate-limit.decorator';
import { Auth } from '../decorators/auth.decorator';
import { ClientMeta } from '../decorators/client-meta.decorator';
import { CurrentUser } from '../decorators/current-user.decorator';
import { Public } from '../decorators/public.decorator';
import { IssuesTokens } from '../refresh-cookie.interceptor';
import { TokenService } from '../token.service';
import { AuthUser, RequestMeta } from '../types/auth-user';
import { TokenPair } from '../types/token-pair';
import {
  MfaVerifyDto,
  ReauthenticateDto,
  RecoveryCodesDto,
  RemoveTotpDto,
  TotpCodeDto,
  TotpSetupDto,
} from './mfa.dto';
import { MfaService } from './mfa.service';

const CODE_ERRORS = [
  ErrorCode.ValidationFailed,
  ErrorCode.MfaCodeInvalid,
  ErrorCode.TooManyRequests,
];

@ApiTags('mfa')
@Controller('auth')
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
  ) {}

  @Post('mfa/totp/setup')
  @Auth()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start TOTP enrolment: a new secret, not active until confirmed',
    description:
      'Answers the secret as an otpauth:// URI and as a QR code (PNG data URL) for an ' +
      'authenticator app. It replaces an earlier unconfirmed one; the secret is never shown ' +
      'again. 409 `mfa_already_enabled` when a factor is active.',
  })
  @ApiOkResponse({ type: TotpSetupDto })
  @ApiErrors(ErrorCode.MfaAlreadyEnabled)
  setup(@CurrentUser() user: AuthUser): Promise<TotpSetupDto> {
    return this.mfa.setup(user);
  }

  @Post('mfa/totp/confirm')
  @Auth()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Activate TOTP with a code; answers 10 recovery codes, once',
    description:
      'The current session counts as proven with the second factor from now on. Store the ' +
      'recovery codes: each works once instead of a code; only their hashes are kept.',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiErrors(...CODE_ERRORS, ErrorCode.MfaNotEnabled)
  async confirm(
    @CurrentUser() user: AuthUser,
    @Body() dto: TotpCodeDto,
    @ClientMeta() meta: RequestMeta,
  ): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.mfa.confirm(user, dto.code, meta) };
  }

  @Delete('mfa/totp')
  @Auth({ mfa: true, maxAge: '5m' })
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove TOTP (the password and a current code)',
    description:
      'Needs a session proven with the second factor within 5 minutes (else 401 ' +
      '`mfa_required` / `reauthentication_required`: POST /api/auth/reauthenticate first). ' +
      'The recovery codes go too.',
  })
  @ApiNoContentResponse({ description: 'Removed: login asks for a password only again' })
  @ApiErrors(...CODE_ERRORS, ErrorCode.InvalidCurrentPassword, ErrorCode.MfaNotEnabled)
  remove(
    @CurrentUser() user: AuthUser,
    @Body() dto: RemoveTotpDto,
    @ClientMeta() meta: RequestMeta,
  ): Promise<void> {
    return this.mfa.remove(user, dto.password, dto.code, meta);
  }

  @Public()
  @RateLimit('mfa-verify')
  @Post('mfa/verify')
  @IssuesTokens(200)
  @ApiOperation({
    summary: "Login's second step: the mfa token and a code (or a recovery code)",
    description:
      'Send `{mfaToken, code}` or `{mfaToken, recoveryCode}`. Answers the token pair of a ' +
      'session whose `amr` is `["pwd","otp"]`. A code works once (also when two requests race ' +
      'on two instances). 5 wrong codes void the mfa token (then 401 `mfa_token_invalid`; log ' +
      'in again); past MFA_RATE_LIMIT wrong codes per user, over all mfa tokens, 429.',
  })
  @ApiBody({
    type: MfaVerifyDto,
    examples: {
      code: { summary: 'A TOTP code', value: { mfaToken: '…', code: '123456' } },
      recoveryCode: {
        summary: 'A recovery code',
        value: { mfaToken: '…', recoveryCode: 'abcd-efgh-ijkm-nopq' },
      },
    },
  })
  @ApiErrors(...CODE_ERRORS, ErrorCode.MfaTokenInvalid, ErrorCode.UserDisabled)
  async verify(@Body() dto: MfaVerifyDto, @ClientMeta() meta: RequestMeta): Promise<TokenPair> {
    if ((dto.code === undefined) === (dto.recoveryCode === undefined)) {
      throw new AppException(ErrorCode.ValidationFailed, [
        'send exactly one of code and recoveryCode',
      ]);
    }
    const proof = dto.code !== undefined ? { code: dto.code } : { recoveryCode: dto.recoveryCode! };
    const user = await this.mfa.verify(dto.mfaToken, proof, meta);
    if (user.disabled) throw new AppException(ErrorCode.UserDisabled, 'Account is disabled');
    const { sessionId, pair } = await this.tokens.startSession(user, meta, ['pwd', 'otp']);
    this.audit.record('auth.login.succeeded', { userId: user.id, sessionId, ...meta });
    return pair;
  }

  @Post('reauthenticate')
  @Auth()
  @RateLimit('reauthenticate')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Prove the current session again (password, and a code when enrolled)',
    description:
      "Renews the session's authTime (for routes with a maxAge) and, with a code, marks it " +
      'proven with the second factor (for routes that need MFA). The current access token ' +
      'counts at once.',
  })
  @ApiNoContentResponse({ description: 'The session is proven as of now' })
  @ApiErrors(...CODE_ERRORS, ErrorCode.InvalidCurrentPassword)
  reauthenticate(
    @CurrentUser() user: AuthUser,
    @Body() dto: ReauthenticateDto,
    @ClientMeta() meta: RequestMeta,
  ): Promise<void> {
    return this.mfa.reauthenticate(user, dto.password, dto.code, meta);
  }
}
