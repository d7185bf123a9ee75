import { NestFactory } from '@nestjs/core';
import { AppException } from '../common/errors';
import { loadAppConfig, loadDatabaseConfig, validateEnvironment } from '../config';
import { RawEnv } from '../config/env';
import { ParsedCommand } from './args';
import { CliError } from './cli-error';
import { CliLogger } from './cli-logger';
import { CliModule } from './cli.module';
import { CreateAdminCommand, PasswordSource } from './commands/create-admin.command';
import { ListSessionsCommand } from './commands/list-sessions.command';
import { migrate } from './commands/migrate.command';
import { refreshProcedure } from './commands/refresh-procedure.command';
import { ResetMfaCommand } from './commands/reset-mfa.command';
import { RevokeSessionsCommand } from './commands/revoke-sessions.command';
import { RotateKeysCommand } from './commands/rotate-keys.command';
import { OutboxCommand } from './commands/outbox.command';
import { SendResetCommand } from './commands/send-reset.command';
import { readPasswordFromStdin } from './password-input';

export type Command = Exclude<ParsedCommand, { command: 'help' }>;

/**
 * Runs a command and returns what it prints on stdout. The environment is checked first, by
 * the server's own checks (a ConfigError names the variable); `env` is the process's.
 */
export async function execute(command: Command, env: RawEnv): Promise<string> {
  validateEnvironment();
  if (command.command === 'migrate') return migrate(loadDatabaseConfig(env));
  if (command.command === 'refresh-procedure') return refreshProcedure(loadDatabaseConfig(env));
  const app = await NestFactory.createApplicationContext(CliModule, {
    logger: new CliLogger(loadAppConfig(env).logLevel),
    abortOnError: false,
  });
  try {
    switch (command.command) {
      case 'create-admin':
        return await app
          .get(CreateAdminCommand)
          .run(command.email, passwordSource(command.passwordStdin, env));
      case 'list-sessions':
        return await app.get(ListSessionsCommand).run(command.email, command);
      case 'revoke-sessions':
        return await app.get(RevokeSessionsCommand).run(command.email);
      case 'reset-mfa':
        return await app.get(ResetMfaCommand).run(command.email);
      case 'rotate-keys':
        return await app.get(RotateKeysCommand).run();
      case 'send-reset':
        return await app.get(SendResetCommand).run(command.email);
      case 'outbox':
        return await app.get(OutboxCommand).run(command);
    }
  } catch (error) {
    // A service's refusal (e.g. email_taken when a registration won a race): its message.
    if (error instanceof AppException) throw new CliError(String(error.details));
    throw error;
  } finally {
    // Stops the bcrypt workers and closes the database pool, so the process can end.
    await app.close();
  }
}

/** `--password-stdin` first, else ADMIN_PASSWORD (the variable the server seeds its admin from). */
function passwordSource(fromStdin: boolean, env: RawEnv): PasswordSource | null {
  if (fromStdin) return { name: 'stdin', read: () => readPasswordFromStdin() };
  // Not trimmed: spaces may be part of a password.
  const fromEnv = env.ADMIN_PASSWORD;
  if (fromEnv) return { name: 'ADMIN_PASSWORD', read: () => Promise.resolve(fromEnv) };
  return null;
}
