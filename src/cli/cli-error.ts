/** A command that could not do its job: one line on stderr, exit status 1. */
export class CliError extends Error {
  readonly exitCode: number = 1;
}

/** The command line itself is wrong: the message, a pointer to `--help`, exit status 2. */
export class UsageError extends CliError {
  readonly exitCode: number = 2;
}
