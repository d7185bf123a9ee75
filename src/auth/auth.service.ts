import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AuditLog } from '../common/audit/audit-log.service';
import { AppException, ErrorCode } from '../common/errors';
import { authConfig } from '../config/auth.config';
import { mailConfig } from '../config/mail.config';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { User } from '../users/entities/user.entity';
import { Role } from '../users/enums/role.enum';
import { UsersService } from '../users/users.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { RegisterDto } from './dto/register.dto';
import { PasswordHasher } from './password/password-hasher.service';
import { TokenService } from './token.service';
import { AuthUser, RequestMeta } from './types/auth-user';
import { isTransactionConflict } from '../database/db-errors';
import { EmailVerificationService } from './email-verification.service';
import { MfaChallengeResponse, MfaService } from './mfa/mfa.service';
import { PasswordResetService } from './password-reset.service';
import { TokenPair } from './types/token-pair';

/** Register's answer under REQUIRE_VERIFIED_EMAIL: the account, no session yet. */
export interface VerificationPending {
  user: UserResponseDto;
  emailVerificationRequired: true;
}

/** Registration, login and password changes; token mechanics live in TokenService. */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    @Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
    private readonly resets: PasswordResetService,
    private readonly verifications: EmailVerificationService,
    private readonly mfa: MfaService,
  ) {}

  /**
   * Creates the account and queues its verification mail. Under REQUIRE_VERIFIED_EMAIL no
   * session starts (login would refuse one until the address is verified).
   */
  async register(dto: RegisterDto, meta: RequestMeta): Promise<TokenPair | VerificationPending> {
    if (await this.users.findByEmail(dto.email)) {
      throw new AppException(ErrorCode.EmailTaken, 'Email is already registered');
    }
    const user = await this.users.create({
      email: dto.email,
      passwordHash: await this.hasher.hash(dto.password),
      name: dto.name ?? null,
    });
    await this.verifications.sendAfterRegister(user);
    if (this.mail.requireVerifiedEmail) {
      this.audit.record('auth.register', { userId: user.id, sessionId: null, ...meta });
      return { user: UserResponseDto.from(user), emailVerificationRequired: true };
    }
    const { sessionId, pair } = await this.tokens.startSession(user, meta);
    this.audit.record('auth.register', { userId: user.id, sessionId, ...meta });
    return pair;
  }

  /**
   * One bcrypt comparison per attempt, also for an unknown email (against a dummy hash of the
   * current cost), so the answer and its timing do not tell which emails exist. A disabled
   * account answers like any other until the password is right: only its owner learns that it
   * is disabled.
   */
  async validateCredentials(email: string, password: string, meta: RequestMeta): Promise<User> {
    const user = await this.users.findByEmail(email);
    const matches = user
      ? await this.hasher.compare(password, user.passwordHash)
      : await this.hasher.compareWithDummy(password);
    if (!user || !matches) {
      this.audit.record('auth.login.failed', {
        reason: 'invalid_credentials',
        email,
        userId: user?.id ?? null,
        ...meta,
      });
      throw new AppException(ErrorCode.InvalidCredentials, 'Invalid email or password');
    }
    if (user.disabled) {
      this.audit.record('auth.login.failed', {
        reason: 'user_disabled',
        email,
        userId: user.id,
        ...meta,
      });
      throw new AppException(ErrorCode.UserDisabled, 'Account is disabled');
    }
    // After the password check, like the disabled flag: only the owner learns it.
    if (this.mail.requireVerifiedEmail && user.emailVerifiedAt === null) {
      this.audit.record('auth.login.failed', {
        reason: 'email_not_verified',
        email,
        userId: user.id,
        ...meta,
      });
      throw new AppException(ErrorCode.EmailNotVerified, 'Email address is not verified');
    }
    if (this.hasher.needsRehash(user.passwordHash)) {
      const upgraded = await this.hasher.hash(password);
      if (await this.users.replacePasswordHash(user.id, user.passwordHash, upgraded)) {
        user.passwordHash = upgraded;
      }
    }
    return user;
  }

  /** The password was right: a session, or for an enrolled user the second step's mfa token. */
  async login(user: User, meta: RequestMeta): Promise<TokenPair | MfaChallengeResponse> {
    if (user.mfaEnabled) {
      this.audit.record('auth.login.mfa_challenged', { userId: user.id, ...meta });
      return this.mfa.challenge(user);
    }
    const { sessionId, pair } = await this.tokens.startSession(user, meta);
    this.audit.record('auth.login.succeeded', { userId: user.id, sessionId, ...meta });
    return pair;
  }

  /** Ends every session of the user, the caller's included, and starts a new one. */
  async changePassword(caller: AuthUser, dto: ChangePasswordDto, meta: RequestMeta) {
    const user = await this.users.findOne(caller.id);
    const wrongPassword = () => {
      this.audit.record('auth.password.change_failed', {
        userId: user.id,
        sessionId: caller.sessionId,
        reason: 'invalid_current_password',
        ...meta,
      });
      return new AppException(ErrorCode.InvalidCurrentPassword, 'Current password is wrong');
    };
    if (!(await this.hasher.compare(dto.currentPassword, user.passwordHash))) {
      throw wrongPassword();
    }
    const newHash = await this.hasher.hash(dto.newPassword);
    // A concurrent change that won first makes the checked password stale: same answer as a
    // wrong one, and no second session tied to a password no longer in effect.
    if (!(await this.users.replacePasswordHash(user.id, user.passwordHash, newHash))) {
      throw wrongPassword();
    }
    await this.tokens.endAllSessions(user.id, 'password_change');
    // A reset link sent before the change must not undo it.
    await this.resets.voidAll(user.id);
    const { sessionId, pair } = await this.tokens.startSession(user, meta);
    this.audit.record('auth.password.changed', { userId: user.id, sessionId, ...meta });
    return pair;
  }

  /** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when that account is missing. */
  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (!adminEmail || !adminPassword || (await this.users.findByEmail(adminEmail))) return;
    try {
      await this.users.create({
        email: adminEmail,
        passwordHash: await this.hasher.hash(adminPassword),
        name: 'Administrator',
        roles: [Role.User, Role.Admin],
        emailVerified: true,
      });
      this.logger.log(`created admin account ${adminEmail}`);
    } catch (error) {
      // Another instance starting at the same moment created it first: a duplicate email, or
      // on a multi-primary cluster (Galera) the other node's insert won certification and this
      // one was rolled back at COMMIT as a conflict. Either way the account must be there now.
      const lost = error instanceof AppException && error.code === ErrorCode.EmailTaken;
      if (!lost && !(isTransactionConflict(error) && (await this.users.findByEmail(adminEmail)))) {
        throw error;
      }
    }
  }
}
