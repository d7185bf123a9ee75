import { parseCommandLine, usage } from './args';
import { UsageError } from './cli-error';

const usageError = (argv: string[]) => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as UsageError).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
};

describe('parseCommandLine', () => {
  it('reads each command with its options', () => {
    expect(parseCommandLine(['create-admin', 'a@b.co', '--password-stdin'])).toEqual({
      command: 'create-admin',
      email: 'a@b.co',
      passwordStdin: true,
    });
    expect(parseCommandLine(['create-admin', 'a@b.co'])).toMatchObject({ passwordStdin: false });
    expect(parseCommandLine(['list-sessions', '--json', 'a@b.co', '--all'])).toEqual({
      command: 'list-sessions',
      email: 'a@b.co',
      all: true,
      json: true,
    });
    expect(parseCommandLine(['revoke-sessions', 'a@b.co'])).toEqual({
      command: 'revoke-sessions',
      email: 'a@b.co',
    });
    expect(parseCommandLine(['migrate'])).toEqual({ command: 'migrate' });
    expect(parseCommandLine(['rotate-keys'])).toEqual({ command: 'rotate-keys' });
  });

  it('answers help for --help, -h and help, with or without a command', () => {
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help', topic: undefined });
    expect(parseCommandLine(['help', 'migrate'])).toEqual({ command: 'help', topic: 'migrate' });
    expect(parseCommandLine(['list-sessions', '-h'])).toEqual({
      command: 'help',
      topic: 'list-sessions',
    });
    expect(usage()).toContain('revoke-sessions <email>');
    expect(usage('migrate')).not.toContain('create-admin');
  });

  it('refuses what makes no sense, as a usage error', () => {
    expect(usageError([])).toMatch(/no command/);
    expect(usageError(['drop-tables'])).toMatch(/unknown command "drop-tables"/);
    expect(usageError(['list-sessions'])).toMatch(/one argument, the email \(got 0\)/);
    expect(usageError(['revoke-sessions', 'a@b.co', 'c@d.co'])).toMatch(/got 2/);
    expect(usageError(['list-sessions', 'a@b.co', '--verbose'])).toMatch(/--verbose/);
    expect(usageError(['migrate', 'now'])).toMatch(/no arguments/);
    expect(usageError(['rotate-keys', 'now'])).toMatch(/rotate-keys takes no arguments/);
  });

  it('never takes a password on the command line', () => {
    for (const argv of [
      ['create-admin', 'a@b.co', '--password', 'hunter22'],
      ['create-admin', 'a@b.co', '--password=hunter22'],
    ]) {
      const message = usageError(argv);
      expect(message).toMatch(/--password-stdin or ADMIN_PASSWORD/);
      expect(message).not.toContain('hunter22');
    }
  });
});
