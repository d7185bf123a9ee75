import { Body, Controller, Delete, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorCode } from '../common/errors';
import { UuidParam } from '../common/pipes/uuid-param';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { RateLimited } from '../rate-limit/rate-limit.guard';
import { User } from '../users/entities/user.entity';
import { AuthService, VerificationPending } from './auth.service';
import { Auth } from './decorators/auth.decorator';
import { ClientMeta } from './decorators/client-meta.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import { ChangePasswordDto } from './dto/change-password.dto';
import { ForgotPasswordDto } from './dto/forgot-password.dto';
import { VerifyEmailDto } from './dto/verify-email.dto';
import { EmailVerificationService } from './email-verification.service';
import { MfaChallengeDto, VerificationPendingDto } from './mfa/mfa.dto';
import { MfaChallengeResponse } from './mfa/mfa.service';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { PasswordResetService } from './password-reset.service';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { SessionResponseDto } from './dto/session-response.dto';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { RefreshCookieOriginGuard } from './guards/refresh-cookie-origin.guard';
import { ClearsRefreshCookie, IssuesTokens } from './refresh-cookie.interceptor';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';
import { AuthUser, PresentedRefreshToken, RequestMeta } from './types/auth-user';
import { TokenPair } from './types/token-pair';

const REFRESH_ERRORS = [
  ErrorCode.RefreshTokenMissing,
  ErrorCode.RefreshTokenInvalid,
  ErrorCode.ValidationFailed,
  // RefreshCookieOriginGuard: the cookie sent from an origin that is not allowed.
  ErrorCode.Forbidden,
];

/** Swagger UI starts "Try it out" from the first example: `{}`, the cookie alone. */
const REFRESH_BODY = {
  type: RefreshTokenDto,
  required: false,
  examples: {
    cookie: { summary: 'Token in the refresh_token cookie', value: {} },
    body: { summary: 'Token in the body', value: { refreshToken: 'eyJhbGciOiJIUzI1NiJ9…' } },
  },
};

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly resets: PasswordResetService,
    private readonly verifications: EmailVerificationService,
  ) {}

  @Public()
  @RateLimit('register')
  @Post('register')
  @IssuesTokens(201, {
    type: VerificationPendingDto,
    description: 'with REQUIRE_VERIFIED_EMAIL=true, the account and no session',
  })
  @ApiOperation({
    summary: 'Create an account and start a session',
    description:
      'Creates a user with role `user` and answers a token pair, as login does: the ' +
      'access token for `Authorization: Bearer`, the refresh token in the body and as ' +
      'the HttpOnly refresh_token cookie. Passwords are 8 to 72 UTF-8 bytes. An ' +
      'address already registered answers 409 `email_taken`. Rate-limited per IP. Also ' +
      'queues a mail with a link that verifies the address (POST /api/auth/email/verify). ' +
      'With REQUIRE_VERIFIED_EMAIL=true no session starts: the answer is 201 ' +
      '`{"user": {…}, "emailVerificationRequired": true}` without tokens or cookie.',
  })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.PasswordTooLong, ErrorCode.EmailTaken)
  register(
    @Body() dto: RegisterDto,
    @ClientMeta() meta: RequestMeta,
  ): Promise<TokenPair | VerificationPending> {
    return this.auth.register(dto, meta);
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @RateLimit('login')
  @Post('login')
  @IssuesTokens(200, {
    type: MfaChallengeDto,
    description: 'for an account with TOTP, the mfa token for POST /api/auth/mfa/verify',
  })
  @ApiOperation({
    summary: 'Log in with email and password',
    description:
      'Answers a token pair and starts a new session (one per login, listed by GET ' +
      '/api/auth/sessions). A wrong email or password answers the same 401 ' +
      '`invalid_credentials` in the same time; a disabled account `user_disabled`. ' +
      'Rate-limited per IP and per IP and email. With REQUIRE_VERIFIED_EMAIL=true an ' +
      'account whose address is not verified answers 403 `email_not_verified`, only after ' +
      'the password was right. For an account with TOTP the right password answers 200 ' +
      '`{"mfaRequired": true, "mfaToken": …}` and no tokens: send the token and a code to ' +
      'POST /api/auth/mfa/verify.',
  })
  @ApiBody({ type: LoginDto })
  @ApiErrors(
    ErrorCode.ValidationFailed,
    ErrorCode.PasswordTooLong,
    ErrorCode.InvalidCredentials,
    ErrorCode.UserDisabled,
    ErrorCode.EmailNotVerified,
  )
  login(
    @CurrentUser() user: unknown,
    @ClientMeta() meta: RequestMeta,
  ): Promise<TokenPair | MfaChallengeResponse> {
    return this.auth.login(user as User, meta);
  }

  @Public()
  @UseGuards(RefreshCookieOriginGuard, JwtRefreshGuard)
  @RateLimit('refresh')
  @Post('refresh')
  @IssuesTokens(200)
  @ApiOperation({
    summary: 'Trade a refresh token for a new pair (the presented token is spent)',
    description:
      'Send the token in the body or the refresh_token cookie. Within REFRESH_REUSE_GRACE of ' +
      'a rotation, the same token answers the same successor; later, reuse revokes the session.',
  })
  @ApiCookieAuth('refresh_token')
  @ApiBody(REFRESH_BODY)
  @ApiErrors(
    ...REFRESH_ERRORS,
    ErrorCode.RefreshTokenExpired,
    ErrorCode.RefreshTokenRevoked,
    ErrorCode.RefreshTokenReused,
    ErrorCode.UserDisabled,
  )
  // No @Body() parameter: JwtRefreshGuard has validated the body already (guards run before
  // pipes), and a second pass through the ValidationPipe cost each refresh ~4% of its CPU.
  // @ApiBody documents it.
  refresh(@CurrentUser() presented: unknown, @ClientMeta() meta: RequestMeta): Promise<TokenPair> {
    return this.tokens.rotate(presented as PresentedRefreshToken, meta);
  }

  @Public()
  @UseGuards(RefreshCookieOriginGuard, JwtRefreshGuard)
  @Post('logout')
  @ClearsRefreshCookie('Session ended (also when it had ended already)')
  @ApiOperation({
    summary: 'End the session of a refresh token and clear the cookie',
    description:
      'Send the token in the body or the refresh_token cookie. The session ends and ' +
      'its access tokens answer `token_revoked` from then on; the cookie is cleared ' +
      'on every answer, errors included. A session that had ended already also ' +
      'answers 204.',
  })
  @ApiCookieAuth('refresh_token')
  @ApiBody(REFRESH_BODY)
  @ApiErrors(...REFRESH_ERRORS)
  logout(@CurrentUser() presented: unknown, @ClientMeta() meta: RequestMeta): Promise<void> {
    return this.tokens.logout(presented as PresentedRefreshToken, meta);
  }

  @Post('logout-all')
  @Auth()
  @ClearsRefreshCookie('All sessions ended')
  @ApiOperation({
    summary: 'End every session of the caller',
    description:
      "Ends all the caller's sessions, this one included (its access token answers " +
      '`token_revoked` from then on), and clears the refresh cookie.',
  })
  logoutAll(@CurrentUser() user: AuthUser, @ClientMeta() meta: RequestMeta): Promise<void> {
    return this.sessions.removeAll(user, meta);
  }

  @Get('sessions')
  @Auth()
  @ApiOperation({
    summary: "The caller's active sessions",
    description:
      'One entry per live session (login or registration): its id, when it started ' +
      'and was last refreshed, its user agent and IP, and whether it is the current ' +
      'one.',
  })
  @ApiOkResponse({ type: [SessionResponseDto] })
  findSessions(@CurrentUser() user: AuthUser): Promise<SessionResponseDto[]> {
    return this.sessions.findAll(user);
  }

  @Delete('sessions/:id')
  @Auth()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Session ended' })
  @ApiOperation({
    summary: "End one of the caller's sessions",
    description:
      'Ends the session with this id (from GET /api/auth/sessions); its tokens stop ' +
      "working at once. Another user's session answers 404 `not_found`, as an unknown " +
      'id does.',
  })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.NotFound)
  removeSession(
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @ClientMeta() meta: RequestMeta,
  ): Promise<void> {
    return this.sessions.remove(user, id, meta);
  }

  @Public()
  @RateLimit('password-forgot')
  @Post('password/forgot')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for a password-reset link by mail',
    description:
      'Always 202 with the same body, whether or not an account has the address (no mail is ' +
      'sent then). The link carries a single-use token, valid PASSWORD_RESET_TTL (30 min); a ' +
      'newer request voids the older links. The mail goes out through the outbox: the answer ' +
      'never waits for SMTP. Past MAIL_RATE_LIMIT for one address the answer is still 202 ' +
      '(nothing is sent); the per-IP limit answers 429.',
  })
  @ApiAcceptedResponse({
    description: 'Accepted (the same for every address)',
    schema: { example: { status: 'accepted' } },
  })
  @ApiErrors(ErrorCode.ValidationFailed)
  async forgotPassword(
    @Body() dto: ForgotPasswordDto,
    @ClientMeta() meta: RequestMeta,
    @RateLimited() rateLimited: boolean,
  ): Promise<{ status: 'accepted' }> {
    await this.resets.forgot(dto.email, meta, rateLimited);
    return { status: 'accepted' };
  }

  @Public()
  @RateLimit('password-reset')
  @Post('password/reset')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with the token of a reset link',
    description:
      'Sets the password (same rules as register), ends every session of the user and voids ' +
      'the other reset links. A used, expired, voided or forged token answers 400 ' +
      '`reset_token_invalid`, one code for all.',
  })
  @ApiNoContentResponse({ description: 'Password set; every session ended' })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.PasswordTooLong, ErrorCode.ResetTokenInvalid)
  resetPassword(@Body() dto: ResetPasswordDto, @ClientMeta() meta: RequestMeta): Promise<void> {
    return this.resets.reset(dto.token, dto.password, meta);
  }

  @Public()
  @RateLimit('email-verify')
  @Post('email/verify')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Verify the email address with the token of a verification link',
    description:
      'Marks the address verified; the link works once, for EMAIL_VERIFY_TTL (24 h), and a ' +
      'newer link voids the older ones. A used, expired, voided or forged token answers 400 ' +
      '`verification_token_invalid`, one code for all.',
  })
  @ApiNoContentResponse({ description: 'Address verified' })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.VerificationTokenInvalid)
  verifyEmail(@Body() dto: VerifyEmailDto, @ClientMeta() meta: RequestMeta): Promise<void> {
    return this.verifications.verify(dto.token, meta);
  }

  @Post('email/resend')
  @Auth()
  @RateLimit('email-resend')
  @HttpCode(202)
  @ApiOperation({
    summary: "Send a new verification link to the caller's address",
    description:
      'Voids the older links. MAIL_RATE_LIMIT per account and the AUTH_RATE_LIMIT per IP ' +
      'apply (429). An address verified already answers 409 `email_already_verified`.',
  })
  @ApiAcceptedResponse({
    description: 'The mail is queued in the outbox',
    schema: { example: { status: 'accepted' } },
  })
  @ApiErrors(ErrorCode.EmailAlreadyVerified)
  async resendVerification(
    @CurrentUser() user: AuthUser,
    @ClientMeta() meta: RequestMeta,
  ): Promise<{ status: 'accepted' }> {
    await this.verifications.resend(user, meta);
    return { status: 'accepted' };
  }

  @Post('change-password')
  // With TOTP enrolled, only from a session proven with it (login's verify, or reauthenticate).
  @Auth({ mfa: true })
  @RateLimit('change-password')
  @IssuesTokens(200)
  @ApiOperation({
    summary: 'Change the password: every session ends, a new one starts',
    description:
      'Checks the current password (403 `invalid_current_password` when wrong), sets ' +
      'the new one, ends every session of the caller, voids pending reset links and ' +
      'answers a fresh token pair for a new session.',
  })
  @ApiErrors(
    ErrorCode.ValidationFailed,
    ErrorCode.PasswordTooLong,
    ErrorCode.InvalidCurrentPassword,
  )
  changePassword(
    @CurrentUser() user: AuthUser,
    @Body() dto: ChangePasswordDto,
    @ClientMeta() meta: RequestMeta,
  ): Promise<TokenPair> {
    return this.auth.changePassword(user, dto, meta);
  }
}
