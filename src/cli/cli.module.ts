import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { Session } from '../auth/entities/session.entity';
import { CommonModule } from '../common/common.module';
import { configNamespaces } from '../config';
import { DatabaseModule } from '../database/database.module';
import { UsersModule } from '../users/users.module';
import { CreateAdminCommand } from './commands/create-admin.command';
import { ListSessionsCommand } from './commands/list-sessions.command';
import { ResetMfaCommand } from './commands/reset-mfa.command';
import { RevokeSessionsCommand } from './commands/revoke-sessions.command';
import { RotateKeysCommand } from './commands/rotate-keys.command';
import { OutboxCommand } from './commands/outbox.command';
import { SendResetCommand } from './commands/send-reset.command';
import { MailModule } from '../mail/mail.module';
import { KeysModule } from '../keys/keys.module';

/**
 * The app's own modules for config, database (which migrates on connect, as at a server's
 * start), users and auth, so the commands run the server's code, wired as the server wires
 * it. No HTTP, no rate limits, no metrics. AuthModule still does its start-up work: its
 * bcrypt pool makes the dummy hash, the token purge registers its interval (unref'd, dropped
 * at close, so it never fires in a command's lifetime), and ADMIN_EMAIL/ADMIN_PASSWORD, when
 * both set, seed that admin if missing, as a server start would.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configNamespaces }),
    ScheduleModule.forRoot(),
    CommonModule,
    DatabaseModule,
    UsersModule,
    MailModule.forRoot({ sender: false }),
    AuthModule,
    KeysModule,
    TypeOrmModule.forFeature([Session]),
  ],
  providers: [
    CreateAdminCommand,
    ListSessionsCommand,
    RevokeSessionsCommand,
    ResetMfaCommand,
    RotateKeysCommand,
    SendResetCommand,
    OutboxCommand,
  ],
})
export class CliModule {}
