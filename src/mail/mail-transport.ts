import { Logger } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import type { MailConfig } from '../config/mail.config';

export interface OutgoingMail {
  /** The outbox row's id: also the Message-ID, so a receiver can tell a resend from a new mail. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

/** Sends one mail or throws; what the outbox sender calls. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** Bounds on every SMTP wait, all well inside the sender's claim on a row (OUTBOX_CLAIM_MS). */
const SMTP_TIMEOUTS = { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 20_000 };

/** The links of a mail's text, for the log of the embedded default. */
const LINK = /https?:\/\/[^\s<>"]+/g;

function message(from: string, mail: OutgoingMail) {
  const domain = /@([^>\s]+)>?$/.exec(from)?.[1] ?? 'localhost';
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html !== null && { html: mail.html }),
    messageId: `<${mail.id}@${domain}>`,
    // nodemailer refuses CR/LF in header values itself; the recipient was validated before.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** SMTP_URL: nodemailer over SMTP (STARTTLS when offered, TLS with smtps://). */
export class SmtpTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transporter = createTransport(url, SMTP_TIMEOUTS as never);
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail(message(this.from, mail));
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * No SMTP_URL (the embedded default): each mail becomes `<outboxDir>/<id>.eml`, and its links
 * are logged at info level, so a newcomer can follow a reset link on a fresh machine. The
 * links carry single-use tokens: in production they are not logged, and the start-up report
 * warns that SMTP_URL is unset.
 */
export class FileTransport implements MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly transporter = createTransport({ streamTransport: true, buffer: true });

  constructor(
    private readonly dir: string,
    private readonly from: string,
    private readonly logLinks: boolean,
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    const info = (await this.transporter.sendMail(message(this.from, mail))) as {
      message: Buffer;
    };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${mail.id}.eml`);
    writeFileSync(file, info.message, { mode: 0o600 });
    const links = mail.text.match(LINK) ?? [];
    this.logger.log(`mail "${mail.subject}" to ${mail.to} written to ${file}`);
    if (this.logLinks) for (const link of links) this.logger.log(`  link: ${link}`);
  }

  close(): void {
    this.transporter.close();
  }
}

export function createMailTransport(config: MailConfig): MailTransport {
  return config.smtpUrl
    ? new SmtpTransport(config.smtpUrl, config.from)
    : new FileTransport(config.outboxDir, config.from, config.logLinks);
}
