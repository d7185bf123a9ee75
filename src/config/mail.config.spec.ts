import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailTemplates } from '../mail/mail-templates';
import { ConfigError } from './config-error';
import { DEFAULT_MAIL_FROM, loadMailConfig } from './mail.config';

function refusal(env: Record<string, string>): string {
  try {
    loadMailConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).variable;
  }
  throw new Error('accepted');
}

describe('mail configuration', () => {
  it('defaults to .eml files in data/outbox, 8 attempts, a 1 s poll', () => {
    expect(loadMailConfig({})).toEqual({
      smtpUrl: null,
      from: DEFAULT_MAIL_FROM,
      templatesDir: null,
      outboxDir: 'data/outbox',
      maxAttempts: 8,
      pollInterval: 1,
      appUrl: 'http://localhost:3000',
      passwordResetTtl: 1800,
      emailVerifyTtl: 86400,
      requireVerifiedEmail: false,
      mailRateLimit: { limit: 5, windowMs: 3_600_000 },
      logLinks: true,
    });
    expect(loadMailConfig({ REQUIRE_VERIFIED_EMAIL: 'true' }).requireVerifiedEmail).toBe(true);
    expect(loadMailConfig({ EMAIL_VERIFY_TTL: '2h' }).emailVerifyTtl).toBe(7200);
    expect(loadMailConfig({ MAIL_RATE_LIMIT: '3/15m' }).mailRateLimit).toEqual({
      limit: 3,
      windowMs: 900_000,
    });
    expect(loadMailConfig({ NODE_ENV: 'production' }).logLinks).toBe(false);
    expect(loadMailConfig({ PUBLIC_URL: 'https://auth.example.com/' }).appUrl).toBe(
      'https://auth.example.com',
    );
    expect(loadMailConfig({ APP_URL: 'https://app.example.com' }).appUrl).toBe(
      'https://app.example.com',
    );
    expect(loadMailConfig({ SMTP_URL: 'smtps://u:p@smtp.example.com:465' }).smtpUrl).toBe(
      'smtps://u:p@smtp.example.com:465',
    );
  });

  it.each([
    ['SMTP_URL', 'http://smtp.example.com'],
    ['SMTP_URL', 'not a url'],
    ['MAIL_FROM', 'Name <a@b.c>\r\nBcc: x@y.z'],
    ['MAIL_FROM', 'no-at-sign'],
    ['MAIL_TEMPLATES_DIR', '/nonexistent/templates'],
    ['MAIL_MAX_ATTEMPTS', '0'],
    ['MAIL_POLL_INTERVAL', '1h'],
    ['APP_URL', 'ftp://app.example.com'],
    ['APP_URL', 'https://app.example.com/?x=1'],
    ['PASSWORD_RESET_TTL', '2d'],
    ['EMAIL_VERIFY_TTL', '31d'],
    ['EMAIL_VERIFY_TTL', '0'],
    ['REQUIRE_VERIFIED_EMAIL', 'yes'],
    ['MAIL_RATE_LIMIT', '5'],
    ['MAIL_RATE_LIMIT', '0/1h'],
    ['MAIL_RATE_LIMIT', '5/2d'],
  ])('refuses %s=%j', (variable, value) => {
    expect(refusal({ [variable]: value })).toBe(variable);
  });
});

describe('MailTemplates', () => {
  it('fills the built-in reset mail; a value cannot add a header line or HTML', () => {
    const templates = new MailTemplates(loadMailConfig({}));
    const mail = templates.render('password_reset', {
      email: 'a@b.c\r\nBcc: evil@example.com',
      link: 'https://app.example.com/reset?token=<x>&y',
      validFor: '30 minutes',
    });
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain('https://app.example.com/reset?token=<x>&y');
    expect(mail.html).toContain('token=&lt;x&gt;&amp;y');
    expect(mail.html).not.toContain('<x>');
  });

  it('fills the built-in verification mail', () => {
    const mail = new MailTemplates(loadMailConfig({})).render('email_verification', {
      email: 'ann@example.com',
      link: 'https://app.example.com/verify-email?token=abc',
      validFor: '24 hours',
    });
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.text).toContain('https://app.example.com/verify-email?token=abc');
    expect(mail.text).toContain('within 24 hours');
    expect(mail.html).toContain('href="https://app.example.com/verify-email?token=abc"');
  });

  it('takes a team\u2019s template from MAIL_TEMPLATES_DIR, subject from its first line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    try {
      writeFileSync(
        join(dir, 'password_reset.txt'),
        'Subject: Reset at {{email}}\n\nGo: {{link}}\n',
      );
      const templates = new MailTemplates(loadMailConfig({ MAIL_TEMPLATES_DIR: dir }));
      const mail = templates.render('password_reset', {
        email: 'x@y.z\nBcc: evil@example.com',
        link: 'L',
      });
      expect(mail.subject).toBe('Reset at x@y.z Bcc: evil@example.com');
      expect(mail.text).toBe('Go: L\n');
      expect(mail.html).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
