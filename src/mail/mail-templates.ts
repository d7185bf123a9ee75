import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailConfig } from '../config/mail.config';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string | null;
}

/**
 * Built-in templates: the first line of the text is `Subject: …`. `{{name}}` is replaced by
 * the value (HTML-escaped in the HTML body). A team overrides one with `<name>.txt` and
 * optionally `<name>.html` in MAIL_TEMPLATES_DIR.
 */
const BUILT_IN: Record<string, { text: string; html: string }> = {
  password_reset: {
    text: [
      'Subject: Reset your password',
      '',
      'Someone asked to reset the password of the account {{email}}.',
      '',
      'To choose a new password, open this link within {{validFor}}:',
      '',
      '{{link}}',
      '',
      'The link works once. If you did not ask for this, ignore this mail: your password',
      'stays as it is.',
    ].join('\n'),
    html: [
      '<p>Someone asked to reset the password of the account <b>{{email}}</b>.</p>',
      '<p>To choose a new password, open this link within {{validFor}}:</p>',
      '<p><a href="{{link}}">{{link}}</a></p>',
      '<p>The link works once. If you did not ask for this, ignore this mail: your password',
      'stays as it is.</p>',
    ].join('\n'),
  },
  email_verification: {
    text: [
      'Subject: Confirm your email address',
      '',
      'Please confirm that {{email}} is your address by opening this link within {{validFor}}:',
      '',
      '{{link}}',
      '',
      'The link works once. If you did not create an account, ignore this mail.',
    ].join('\n'),
    html: [
      '<p>Please confirm that <b>{{email}}</b> is your address by opening this link within',
      '{{validFor}}:</p>',
      '<p><a href="{{link}}">{{link}}</a></p>',
      '<p>The link works once. If you did not create an account, ignore this mail.</p>',
    ].join('\n'),
  },
};

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const fill = (template: string, vars: Record<string, string>, escape: (v: string) => string) =>
  template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) =>
    key in vars ? escape(vars[key]) : whole,
  );

@Injectable()
export class MailTemplates {
  constructor(@Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>) {}

  render(name: string, vars: Record<string, string>): RenderedMail {
    const { text, html } = this.load(name);
    // The subject line is split off before any value goes in, and is filled with values made
    // one line: a value holding CR/LF can neither add a header nor move text into the body.
    const [first, ...rest] = text.split('\n');
    const subject = /^Subject: (.+)$/.exec(first)?.[1];
    if (!subject) throw new Error(`mail template ${name}: the first line must be "Subject: …"`);
    return {
      subject: fill(subject, vars, (v) => v.replace(/[\r\n]+/g, ' ')).slice(0, 255),
      text: fill(rest.join('\n').replace(/^\n+/, ''), vars, (v) => v),
      html: html === null ? null : fill(html, vars, escapeHtml),
    };
  }

  private load(name: string): { text: string; html: string | null } {
    const dir = this.config.templatesDir;
    if (dir && existsSync(join(dir, `${name}.txt`))) {
      const htmlFile = join(dir, `${name}.html`);
      return {
        text: readFileSync(join(dir, `${name}.txt`), 'utf8'),
        html: existsSync(htmlFile) ? readFileSync(htmlFile, 'utf8') : null,
      };
    }
    const builtIn = BUILT_IN[name];
    if (!builtIn) throw new Error(`no mail template ${name}`);
    return builtIn;
  }
}
