import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error';

export const COMMAND_NAMES = [
  'create-admin',
  'list-sessions',
  'revoke-sessions',
  'reset-mfa',
  'migrate',
  'refresh-procedure',
  'rotate-keys',
  'send-reset',
  'outbox',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** The statuses `outbox` lists: the mails not sent (yet); `sent` rows are history. */
export const OUTBOX_LIST_STATUSES = ['pending', 'sending', 'failed'] as const;
export type OutboxListStatus = (typeof OUTBOX_LIST_STATUSES)[number];

export type ParsedCommand =
  | { command: 'help'; topic?: CommandName }
  | { command: 'create-admin'; email: string; passwordStdin: boolean }
  | { command: 'list-sessions'; email: string; all: boolean; json: boolean }
  | { command: 'revoke-sessions'; email: string }
  | { command: 'reset-mfa'; email: string }
  | { command: 'migrate' }
  | { command: 'refresh-procedure' }
  | { command: 'rotate-keys' }
  | { command: 'send-reset'; email: string }
  | { command: 'outbox'; statuses: OutboxListStatus[]; json: boolean };

const HELP: Record<CommandName, string> = {
  'create-admin': `create-admin <email> [--password-stdin]
    Creates an account with the admin role, or gives an existing account that role (its
    password is then left as it is). A new account's password is read from stdin with
    --password-stdin (typed without echo on a terminal), else from ADMIN_PASSWORD; never
    from the command line, where \`ps\` and the shell history would show it. Same rules as
    registration: 8 to 72 UTF-8 bytes, no NUL.`,
  'list-sessions': `list-sessions <email> [--all] [--json]
    The user's active sessions, most recently used first. --all adds the ended ones still
    stored (the purge deletes them an hour after their absolute end); --json prints a JSON
    array instead of a table.`,
  'revoke-sessions': `revoke-sessions <email>
    Ends every session of the user at once: their access and refresh tokens stop working
    (token_revoked / refresh_token_revoked). Audited as admin.user.sessions_revoked.`,
  'reset-mfa': `reset-mfa <email>
    Removes the user's second factor (TOTP, recovery codes, open mfa tokens): login asks for
    the password only again, and the user may enrol anew. For a lost device with no recovery
    code left. Audited as admin.user.mfa_reset.`,
  migrate: `migrate
    Applies the pending database migrations and names them. The server (and the other
    commands) also migrate when they connect; this runs them ahead of a deployment.`,
  'refresh-procedure': `refresh-procedure
    MySQL/MariaDB: creates the stored procedure refresh spends a token with in one round trip,
    where the migration that makes it ran without CREATE ROUTINE (it then logged a warning and
    refresh sends four statements instead). Needs CREATE ROUTINE; servers use it after a restart.`,
  'rotate-keys': `rotate-keys
    With JWT_ALG=ES256, EdDSA or RS256: the next signing key becomes current, the current one
    retires (published until the last token it signed expires), and a new next key is made.
    A next key published for less than 2 x KEY_REFRESH_INTERVAL starts signing when that time
    is up; running servers pick the change up within KEY_REFRESH_INTERVAL.`,
  'send-reset': `send-reset <email>
    What POST /api/auth/password/forgot does for that address: the account's older reset
    links stop working, and a new one is written with its mail into the outbox. This command
    sends no mail itself: a running server sends it (within MAIL_POLL_INTERVAL). Fails when
    no enabled account has the address. Audited as auth.password_reset.requested.`,
  outbox: `outbox [--status pending|sending|failed]... [--json]
    The mails not sent: pending (waiting for their next attempt), sending (claimed by a
    server) and failed (given up after MAIL_MAX_ATTEMPTS), oldest first, with their
    attempts, next attempt and last SMTP error. --status (repeatable) lists those only;
    --json prints a JSON array instead of a table.`,
};

/** The usage text: all commands, or one. */
export function usage(topic?: CommandName): string {
  const commands = topic ? [topic] : COMMAND_NAMES;
  return [
    'Usage: npm run -s cli -- <command> [options]    (built: node dist/cli/main.js <command>)',
    '',
    'Commands:',
    ...commands.map((name) => `  ${HELP[name]}`),
    '',
    'Database and settings come from the same environment as the server (DATABASE_URL, the',
    'JWT secrets, BCRYPT_COST, ...), checked the same way. Logs and audit events go to stderr',
    '(LOG_LEVEL); results to stdout.',
    'Exit status: 0 done, 1 failed (one line on stderr), 2 wrong usage.',
    '',
  ].join('\n');
}

const isCommand = (name: string): name is CommandName =>
  (COMMAND_NAMES as readonly string[]).includes(name);

function parse(name: CommandName, args: string[], options: ParseArgsConfig['options'] = {}) {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, boolean | string | undefined>, positionals };
  } catch (error) {
    throw new UsageError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function onePositional(name: CommandName, positionals: string[], what: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(`${name} takes one argument, the ${what} (got ${positionals.length})`);
  }
  return positionals[0];
}

/** Reads `argv` (without node and the script); throws UsageError when it makes no sense. */
export function parseCommandLine(argv: string[]): ParsedCommand {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('no command given');
  if (name === 'help' || name === '--help' || name === '-h') {
    return { command: 'help', topic: rest[0] && isCommand(rest[0]) ? rest[0] : undefined };
  }
  if (!isCommand(name)) throw new UsageError(`unknown command "${name}"`);
  if (rest.some((arg) => arg === '--password' || arg.startsWith('--password='))) {
    // Refused rather than warned about: by the time a warning prints, it is in `ps` and history.
    throw new UsageError(
      `${name}: no --password option (the command line shows in ps and the shell history); ` +
        'use --password-stdin or ADMIN_PASSWORD',
    );
  }
  switch (name) {
    case 'create-admin': {
      const { values, positionals } = parse(name, rest, {
        'password-stdin': { type: 'boolean' },
      });
      if (values.help) return { command: 'help', topic: name };
      const email = onePositional(name, positionals, 'email');
      return { command: name, email, passwordStdin: values['password-stdin'] === true };
    }
    case 'list-sessions': {
      const { values, positionals } = parse(name, rest, {
        all: { type: 'boolean' },
        json: { type: 'boolean' },
      });
      if (values.help) return { command: 'help', topic: name };
      const email = onePositional(name, positionals, 'email');
      return { command: name, email, all: values.all === true, json: values.json === true };
    }
    case 'revoke-sessions': {
      const { values, positionals } = parse(name, rest);
      if (values.help) return { command: 'help', topic: name };
      return { command: name, email: onePositional(name, positionals, 'email') };
    }
    case 'reset-mfa': {
      const { values, positionals } = parse(name, rest);
      if (values.help) return { command: 'help', topic: name };
      return { command: name, email: onePositional(name, positionals, 'email') };
    }
    case 'send-reset': {
      const { values, positionals } = parse(name, rest);
      if (values.help) return { command: 'help', topic: name };
      return { command: name, email: onePositional(name, positionals, 'email') };
    }
    case 'outbox': {
      const { values, positionals } = parse(name, rest, {
        status: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      });
      if (values.help) return { command: 'help', topic: name };
      if (positionals.length) throw new UsageError(`${name} takes no arguments`);
      const statuses = (values.status ?? []) as unknown as string[];
      for (const status of statuses) {
        if (!(OUTBOX_LIST_STATUSES as readonly string[]).includes(status)) {
          throw new UsageError(
            `${name}: --status "${status}" is not one of ${OUTBOX_LIST_STATUSES.join(', ')}`,
          );
        }
      }
      return {
        command: name,
        statuses: [...new Set(statuses)] as OutboxListStatus[],
        json: values.json === true,
      };
    }
    case 'migrate':
    case 'refresh-procedure':
    case 'rotate-keys': {
      const { values, positionals } = parse(name, rest);
      if (values.help) return { command: 'help', topic: name };
      if (positionals.length) throw new UsageError(`${name} takes no arguments`);
      return { command: name };
    }
  }
}
