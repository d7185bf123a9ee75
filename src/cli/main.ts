import 'reflect-metadata';
import { ConfigError } from '../config/config-error';
import { isDatabaseUnavailable } from '../database/db-errors';
import { parseCommandLine, usage } from './args';
import { CliError, UsageError } from './cli-error';

/** Bound on closing after the command: something left open must not keep the shell waiting. */
const EXIT_GRACE_MS = 5_000;

/**
 * `npm run cli -- <command>`: operator tasks on the server's database without the server.
 * stdout carries the result only; logs, audit events and errors go to stderr. Nest, TypeORM
 * and the app load only once the command line made sense, so `--help` answers at once.
 */
async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.command === 'help') {
    process.stdout.write(usage(parsed.topic));
    return 0;
  }
  const { execute } = await import('./execute');
  const result = await execute(parsed, process.env);
  process.stdout.write(result.endsWith('\n') ? result : `${result}\n`);
  return 0;
}

/** One line on stderr; the exit status says which kind of failure it was. */
function report(error: unknown): number {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${message} (see --help)\n`);
  } else if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${message}\n`);
  } else if (isDatabaseUnavailable(error)) {
    process.stderr.write(`error: cannot reach the database (${message})\n`);
  } else {
    process.stderr.write(`error: ${message}\n`);
  }
  return error instanceof CliError ? error.exitCode : 1;
}

void main(process.argv.slice(2))
  .catch(report)
  .then((code) => {
    process.exitCode = code;
    // Ends on its own once everything is closed; this only catches a handle left open.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  });
