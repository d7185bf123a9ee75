import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeysModule } from '../keys/keys.module';
import { SessionCacheModule } from '../session-cache/session-cache.module';
import { UsersModule } from '../users/users.module';
import { AccessTokenVerifier } from './access-token-verifier';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { JwtKeys } from './jwt-keys';
import { PasswordHasher } from './password/password-hasher.service';
import { SessionLookup } from './session-lookup';
import { SessionsService } from './sessions.service';
import { JwtRefreshStrategy } from './strategies/jwt-refresh.strategy';
import { JwtStrategy } from './strategies/jwt.strategy';
import { LocalStrategy } from './strategies/local.strategy';
import { TokenPurgeService } from './token-purge.service';
import { TokenSigner } from './token-signer';
import { TokenService } from './token.service';
import { AtomicWrites } from '../database/atomic-writes';
import { EmailVerificationService } from './email-verification.service';
import { StepUpGuard } from './guards/step-up.guard';
import { MfaController } from './mfa/mfa.controller';
import { MfaService } from './mfa/mfa.service';
import { PasswordResetService } from './password-reset.service';
import { TokenStore } from './token-store';

/**
 * Authentication for the whole app: the global JwtAuthGuard then RolesGuard (APP_GUARDs, in
 * that order), the three Passport strategies, token issue/rotation/revocation, and the
 * scheduled purge of ended sessions' tokens.
 */
@Module({
  imports: [
    PassportModule,
    JwtModule.register({}),
    TypeOrmModule.forFeature([Session, RefreshToken]),
    UsersModule,
    KeysModule,
    SessionCacheModule,
  ],
  controllers: [AuthController, MfaController],
  providers: [
    AuthService,
    PasswordResetService,
    EmailVerificationService,
    MfaService,
    AtomicWrites,
    TokenService,
    TokenStore,
    TokenPurgeService,
    TokenSigner,
    SessionsService,
    SessionLookup,
    PasswordHasher,
    JwtKeys,
    AccessTokenVerifier,
    LocalStrategy,
    JwtStrategy,
    JwtRefreshStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: StepUpGuard },
  ],
  exports: [
    TokenService,
    TokenStore,
    JwtKeys,
    AccessTokenVerifier,
    PasswordResetService,
    EmailVerificationService,
    MfaService,
  ],
})
export class AuthModule {}
