import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 (smtp-server), keeping every message it accepted, parsed by
 * mailparser. It can stop and start again on the same port, for "SMTP down, then up".
 * With `subject`, `mails` keeps only the mails of that subject (a test of reset links need not
 * count the verification mail every register sends); `others` has the rest.
 */
export class TestSmtp {
  readonly mails: ParsedMail[] = [];
  readonly others: ParsedMail[] = [];
  port = 0;
  private server: SMTPServer | null = null;

  constructor(private readonly options: { subject?: string } = {}) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            const { subject } = this.options;
            (subject === undefined || mail.subject === subject ? this.mails : this.others).push(
              mail,
            );
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => ok());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }

  /** Resolves once `count` mails arrived; fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<ParsedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.mails.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`${this.mails.length} of ${count} mails arrived within ${timeoutMs} ms`);
      }
      await new Promise((ok) => setTimeout(ok, 20));
    }
    return this.mails;
  }
}
