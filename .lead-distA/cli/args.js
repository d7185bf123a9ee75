"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.COMMAND_NAMES = void 0;
exports.usage = usage;
exports.parseCommandLine = parseCommandLine;
const node_util_1 = require("node:util");
const cli_error_1 = require("./cli-error");
exports.COMMAND_NAMES = [
    'create-admin',
    'list-sessions',
    'revoke-sessions',
    'migrate',
];
const HELP = {
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
    migrate: `migrate
    Applies the pending database migrations and names them. The server (and the other
    commands) also migrate when they connect; this runs them ahead of a deployment.`,
};
function usage(topic) {
    const commands = topic ? [topic] : exports.COMMAND_NAMES;
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
const isCommand = (name) => exports.COMMAND_NAMES.includes(name);
function parse(name, args, options = {}) {
    try {
        const { values, positionals } = (0, node_util_1.parseArgs)({
            args,
            options: { ...options, help: { type: 'boolean', short: 'h' } },
            allowPositionals: true,
            strict: true,
        });
        return { values: values, positionals };
    }
    catch (error) {
        throw new cli_error_1.UsageError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
}
function onePositional(name, positionals, what) {
    if (positionals.length !== 1) {
        throw new cli_error_1.UsageError(`${name} takes one argument, the ${what} (got ${positionals.length})`);
    }
    return positionals[0];
}
function parseCommandLine(argv) {
    const [name, ...rest] = argv;
    if (name === undefined)
        throw new cli_error_1.UsageError('no command given');
    if (name === 'help' || name === '--help' || name === '-h') {
        return { command: 'help', topic: rest[0] && isCommand(rest[0]) ? rest[0] : undefined };
    }
    if (!isCommand(name))
        throw new cli_error_1.UsageError(`unknown command "${name}"`);
    if (rest.some((arg) => arg === '--password' || arg.startsWith('--password='))) {
        throw new cli_error_1.UsageError(`${name}: no --password option (the command line shows in ps and the shell history); ` +
            'use --password-stdin or ADMIN_PASSWORD');
    }
    switch (name) {
        case 'create-admin': {
            const { values, positionals } = parse(name, rest, {
                'password-stdin': { type: 'boolean' },
            });
            if (values.help)
                return { command: 'help', topic: name };
            const email = onePositional(name, positionals, 'email');
            return { command: name, email, passwordStdin: values['password-stdin'] === true };
        }
        case 'list-sessions': {
            const { values, positionals } = parse(name, rest, {
                all: { type: 'boolean' },
                json: { type: 'boolean' },
            });
            if (values.help)
                return { command: 'help', topic: name };
            const email = onePositional(name, positionals, 'email');
            return { command: name, email, all: values.all === true, json: values.json === true };
        }
        case 'revoke-sessions': {
            const { values, positionals } = parse(name, rest);
            if (values.help)
                return { command: 'help', topic: name };
            return { command: name, email: onePositional(name, positionals, 'email') };
        }
        case 'migrate': {
            const { values, positionals } = parse(name, rest);
            if (values.help)
                return { command: 'help', topic: name };
            if (positionals.length)
                throw new cli_error_1.UsageError('migrate takes no arguments');
            return { command: name };
        }
    }
}
//# sourceMappingURL=args.js.map