import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import {
  ApiBody,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiCreatedResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../common/errors';
import { UuidParam } from '../common/pipes/uuid-param';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { authConfig } from '../config/auth.config';
import { User } from '../users/entities/user.entity';
import { AuthService } from './auth.service';
import { Auth } from './decorators/auth.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { SessionResponseDto } from './dto/session-response.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { clearRefreshCookie, sendTokenPair } from './refresh-cookie';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';
import { AuthUser, PresentedRefreshToken, RequestMeta } from './types/auth-user';

type Reply = FastifyReply;
const meta = (request: FastifyRequest): RequestMeta => ({
  userAgent: request.headers['user-agent'] ?? null,
  ip: request.ip ?? null,
});
const REFRESH_ERRORS = [
  ErrorCode.RefreshTokenMissing,
  ErrorCode.RefreshTokenInvalid,
  ErrorCode.ValidationFailed,
  ErrorCode.ServiceUnavailable,
];

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly auth: AuthService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
  ) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account and start a session' })
  @ApiCreatedResponse({ type: TokenPairDto })
  @ApiErrors(
    ErrorCode.ValidationFailed,
    ErrorCode.PasswordTooLong,
    ErrorCode.EmailTaken,
    ErrorCode.PayloadTooLarge,
    ErrorCode.UnsupportedMediaType,
    ErrorCode.ServiceUnavailable,
  )
  async register(
    @Body() dto: RegisterDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    return sendTokenPair(
      reply,
      await this.auth.register(dto, meta(request)),
      this.config.secureCookie,
    );
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password' })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(
    ErrorCode.ValidationFailed,
    ErrorCode.PasswordTooLong,
    ErrorCode.InvalidCredentials,
    ErrorCode.UserDisabled,
    ErrorCode.ServiceUnavailable,
  )
  async login(
    @Req() request: FastifyRequest & { user: User },
    @Res({ passthrough: true }) reply: Reply,
  ) {
    return sendTokenPair(
      reply,
      await this.auth.login(request.user, meta(request)),
      this.config.secureCookie,
    );
  }

  @Public()
  @UseGuards(JwtRefreshGuard)
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trade a refresh token for a new pair (the presented token is spent)',
    description:
      'Send the token in the body or the refresh_token cookie. Within REFRESH_REUSE_GRACE of a rotation, the same token answers the same successor; later, reuse revokes the session.',
  })
  @ApiCookieAuth('refresh_token')
  @ApiBody({ type: RefreshTokenDto, required: false })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(
    ...REFRESH_ERRORS,
    ErrorCode.RefreshTokenExpired,
    ErrorCode.RefreshTokenRevoked,
    ErrorCode.RefreshTokenReused,
    ErrorCode.UserDisabled,
  )
  async refresh(
    @Body() _dto: RefreshTokenDto,
    @CurrentUser() presented: unknown,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const pair = await this.tokens.rotate(presented as PresentedRefreshToken);
    return sendTokenPair(reply, pair, this.config.secureCookie);
  }

  @Public()
  @UseGuards(JwtRefreshGuard)
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of a refresh token (idempotent) and clear the cookie' })
  @ApiCookieAuth('refresh_token')
  @ApiBody({ type: RefreshTokenDto, required: false })
  @ApiNoContentResponse({ description: 'Session ended' })
  @ApiErrors(...REFRESH_ERRORS)
  async logout(
    @Body() _dto: RefreshTokenDto,
    @CurrentUser() presented: unknown,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    await this.tokens.logout(presented as PresentedRefreshToken);
    clearRefreshCookie(reply, this.config.secureCookie);
  }

  @Post('logout-all')
  @HttpCode(204)
  @Auth()
  @ApiOperation({ summary: 'End every session of the caller' })
  @ApiNoContentResponse({ description: 'All sessions ended' })
  async logoutAll(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) reply: Reply) {
    await this.tokens.endAllSessions(user.id, 'logout_all');
    clearRefreshCookie(reply, this.config.secureCookie);
  }

  @Get('sessions')
  @Auth()
  @ApiOperation({ summary: "The caller's active sessions" })
  @ApiOkResponse({ type: [SessionResponseDto] })
  findSessions(@CurrentUser() user: AuthUser) {
    return this.sessions.findAll(user);
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @Auth()
  @ApiOperation({ summary: "End one of the caller's sessions" })
  @ApiNoContentResponse({ description: 'Session ended' })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.NotFound)
  removeSession(@CurrentUser() user: AuthUser, @UuidParam('id') id: string) {
    return this.sessions.remove(user, id);
  }

  @Post('change-password')
  @HttpCode(200)
  @Auth()
  @ApiOperation({ summary: 'Change the password: every session ends, a new one starts' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(
    ErrorCode.ValidationFailed,
    ErrorCode.PasswordTooLong,
    ErrorCode.InvalidCurrentPassword,
  )
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Body() dto: ChangePasswordDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const pair = await this.auth.changePassword(user, dto, meta(request));
    return sendTokenPair(reply, pair, this.config.secureCookie);
  }
}
