import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/database.config';
import { DEFAULT_MAIL_FROM } from '../src/config/mail.config';
import { SmtpTransport } from '../src/mail/mail-transport';
import { OutboxMail } from '../src/mail/outbox-mail.entity';
import { OutboxService } from '../src/mail/outbox.service';
import { User } from '../src/users/entities/user.entity';
import { buildDataSourceOptions } from '../src/database/typeorm-options';
import { bearer, decodeJwt, expectSessionEnded, login, registerUser } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';
import { TestSmtp } from './utils/smtp';
import {
  TEST_ACCESS_SECRET,
  TEST_DATA_ENCRYPTION_KEY,
  TEST_REFRESH_SECRET,
  testDatabaseUrl,
} from './utils/test-env';
import { authenticator } from 'otplib';

/**
 * The operator command line (src/cli/main.ts) as a child process, on the database a running
 * test app serves: what the CLI writes, the app sees (and the other way round). SQLite runs
 * use a temporary file (an in-memory database is not shared between processes); MariaDB runs
 * (TEST_DATABASE_URL) a database of this file's own beside the worker's.
 */
const ROOT = join(__dirname, '..');
const CLI_TIMEOUT_MS = 120_000;

/**
 * src/ transpiled once with tsconfig.json's options, which is what ts-node's transpile-only
 * mode does at every start: each CLI run then costs ~1.5 s of CPU instead of ~5 (this file
 * runs the CLI some twenty times, on a CI box of two cores). The output sits in the repository
 * (test-output/, ignored) so that it resolves node_modules as src/ does.
 */
function transpileSources(): string {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, 'test-output', 'cli-e2e-'));
  const tsconfig = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.convertCompilerOptionsFromJson(tsconfig.config.compilerOptions, ROOT);
  const compilerOptions = { ...options, sourceMap: false, incremental: false };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) {
        const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), {
          compilerOptions,
          fileName: path,
        });
        const target = join(outDir, relative(ROOT, path)).replace(/\.ts$/, '.js');
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, outputText);
      }
    }
  };
  walk(join(ROOT, 'src'));
  return outDir;
}

let cliBuild: string;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with exactly `env` (plus PATH/HOME), `input` on stdin (else /dev/null). */
function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  const child = spawn(process.execPath, [join(cliBuild, 'src', 'cli', 'main.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli ${args.join(' ')} still running after ${CLI_TIMEOUT_MS} ms`));
    }, CLI_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The stderr lines that are log records (JSON), parsed. */
const logRecords = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);

function expectOneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toContain('    at ');
  return lines[0];
}

/** One mail as `outbox --json` prints it. */
interface OutboxRecordJson {
  id: string;
  recipient: string;
  status: string;
}

const tempDir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
const mysqlDatabases: string[] = [];

/** An empty database of this file's own, as a DATABASE_URL. */
async function emptyDatabase(name: string): Promise<string> {
  const base = testDatabaseUrl();
  const config = parseDatabaseUrl(base);
  if (config.type !== 'mysql') return `sqlite:${join(tempDir, `${name}.sqlite`)}`;
  const database = `${config.database}_w${process.env.JEST_WORKER_ID ?? '0'}_cli_${name}`;
  await onMysqlServer(base, [
    `DROP DATABASE IF EXISTS \`${database}\``,
    `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  ]);
  mysqlDatabases.push(database);
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onMysqlServer(url: string, statements: string[]): Promise<void> {
  const config = parseDatabaseUrl(url);
  const admin = new DataSource({ ...buildDataSourceOptions(config), entities: [], migrations: [] });
  await admin.initialize();
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.destroy();
  }
}

describe('operator command line (src/cli/main.ts as a child process)', () => {
  jest.setTimeout(300_000);
  let t: TestApp;
  let cliEnv: Record<string, string>;
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) =>
    runCli(args, { ...cliEnv, ...env }, input);

  beforeAll(async () => {
    cliBuild = transpileSources();
    const databaseUrl = await emptyDatabase('app');
    // A long poll interval: the app sends the mails the CLI writes only when a test says so
    // (a server's sender finds them at its next look; in-process writes still kick it). The
    // commands are other processes and this app has no REDIS_URL: what they change reaches
    // its session cache by the staleness bound, kept short here.
    t = await createTestApp({
      DATABASE_URL: databaseUrl,
      MAIL_POLL_INTERVAL: '300s',
      SESSION_CACHE_MAX_STALENESS: '100ms',
    });
    // The server's settings; LOG_LEVEL info so the audit events show on stderr.
    cliEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
      JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY,
      BCRYPT_COST: '4',
    };
  });

  afterAll(async () => {
    await t?.close();
    if (mysqlDatabases.length) {
      await onMysqlServer(
        testDatabaseUrl(),
        mysqlDatabases.map((name) => `DROP DATABASE IF EXISTS \`${name}\``),
      );
    }
    rmSync(tempDir, { recursive: true, force: true });
    if (cliBuild) rmSync(cliBuild, { recursive: true, force: true });
  });

  it('migrate creates the schema on an empty database, then finds nothing to apply', async () => {
    const url = await emptyDatabase('migrate');
    const first = await cli(['migrate'], { DATABASE_URL: url });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^applied InitialSchema\d+$/m);
    expect(first.stdout).toMatch(/^\d+ migration\(s\) applied; all \d+ are in place$/m);

    const check = new DataSource(buildDataSourceOptions(parseDatabaseUrl(url)));
    await check.initialize();
    try {
      const runner = check.createQueryRunner();
      for (const table of ['users', 'sessions', 'refresh_tokens', 'articles']) {
        expect({ table, exists: await runner.hasTable(table) }).toEqual({ table, exists: true });
      }
      await runner.release();
      expect(await check.showMigrations()).toBe(false);
    } finally {
      await check.destroy();
    }

    const second = await cli(['migrate'], { DATABASE_URL: url });
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/^nothing to apply: all \d+ migrations are in place\n$/);
  });

  it('create-admin makes an admin from a password on stdin, who logs in and passes @Roles(admin)', async () => {
    const password = 'ops password 1';
    const created = await cli(
      ['create-admin', ' Ops@Example.com ', '--password-stdin'],
      {},
      `${password}\n`,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created admin ops@example\.com \(id [0-9a-f-]{36}\)\n$/);
    const events = logRecords(created.stderr).filter((record) => record.context === 'Audit');
    expect(events).toEqual([
      expect.objectContaining({
        event: 'admin.user.created',
        actorId: expect.stringMatching(/^cli/),
        roles: ['user', 'admin'],
      }),
    ]);
    expect(created.stdout + created.stderr).not.toContain(password);

    // The trailing line break was not part of the password.
    const pair = await login(t.http, 'ops@example.com', password);
    expect(pair.user.roles).toEqual(['user', 'admin']);
    await t.http().get('/api/admin/users').set(bearer(pair.accessToken)).expect(200);
  });

  it('create-admin gives an existing account the admin role and leaves its password', async () => {
    const { email, password, pair } = await registerUser(t.http);
    await t.http().get('/api/admin/users').set(bearer(pair.accessToken)).expect(403);

    const promoted = await cli(['create-admin', email], { ADMIN_PASSWORD: 'never-used-123' });
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(
      /^promoted .* to admin, roles now user, admin; password unchanged/,
    );
    expect(logRecords(promoted.stderr)).toContainEqual(
      expect.objectContaining({
        event: 'admin.user.roles_changed',
        previousRoles: ['user'],
        roles: ['user', 'admin'],
      }),
    );
    // Roles are read from the database on every session-cache miss: without Redis between
    // the command and the app, the live token passes once the staleness bound has passed.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await t.http().get('/api/admin/users').set(bearer(pair.accessToken)).expect(200);
    await login(t.http, email, password);
    await t.http().post('/api/auth/login').send({ email, password: 'never-used-123' }).expect(401);

    const again = await cli(['create-admin', email]);
    expect(again).toMatchObject({
      code: 0,
      stdout: `${email} is already an admin; nothing changed\n`,
    });
  });

  it('create-admin refuses what registration refuses, with status 1 and nothing created', async () => {
    const [short, nul, badEmail, noPassword] = await Promise.all([
      cli(['create-admin', 'short@example.com'], { ADMIN_PASSWORD: 'seven77' }),
      cli(['create-admin', 'nul@example.com', '--password-stdin'], {}, 'abc\u0000defghij'),
      cli(['create-admin', 'not-an-email', '--password-stdin'], {}, 'long enough 123'),
      cli(['create-admin', 'nopass@example.com']),
    ]);
    expect(short.code).toBe(1);
    expect(expectOneLine(short.stderr)).toMatch(
      /password from ADMIN_PASSWORD refused: .*at least 8 UTF-8 bytes/,
    );
    expect(nul.code).toBe(1);
    expect(expectOneLine(nul.stderr)).toMatch(/password from stdin refused: .*NUL/);
    expect(badEmail.code).toBe(1);
    expect(expectOneLine(badEmail.stderr)).toMatch(/invalid email "not-an-email"/);
    expect(noPassword.code).toBe(1);
    expect(expectOneLine(noPassword.stderr)).toMatch(/--password-stdin or ADMIN_PASSWORD/);
    for (const email of ['short@example.com', 'nul@example.com', 'nopass@example.com']) {
      await t
        .http()
        .post('/api/auth/login')
        .send({ email, password: 'long enough 123' })
        .expect(401);
    }
  });

  it('list-sessions shows the active sessions (table or --json), --all the ended ones too', async () => {
    const { email, password, pair: first } = await registerUser(t.http);
    const second = (
      await t
        .http()
        .post('/api/auth/login')
        .set('User-Agent', 'agent-two \u009b31mred')
        .send({ email, password })
        .expect(200)
    ).body as { accessToken: string };
    await t.http().post('/api/auth/logout').send({ refreshToken: first.refreshToken }).expect(204);
    const firstSid = decodeJwt(first.accessToken).sid as string;
    const secondSid = decodeJwt(second.accessToken).sid as string;

    // Debug logging on: stdout must still be the JSON alone.
    const [json, all, table] = await Promise.all([
      cli(['list-sessions', email, '--json'], { LOG_LEVEL: 'debug' }),
      cli(['list-sessions', email, '--json', '--all']),
      cli(['list-sessions', email]),
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        id: secondSid,
        status: 'active',
        revokedAt: null,
        // Sent as UTF-8, read as Latin-1 by Node's HTTP parser: the C1 CSI byte arrives.
        userAgent: expect.stringContaining('\u009b31mred'),
        expiresAt: expect.any(String),
        endsAt: expect.any(String),
      }),
    ]);
    expect(all.code).toBe(0);
    const rows = JSON.parse(all.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((row) => row.id).sort()).toEqual([firstSid, secondSid].sort());
    expect(rows.find((row) => row.id === firstSid)).toMatchObject({
      status: 'revoked',
      revokedReason: 'logout',
    });

    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+CREATED\s+LAST USED\s+EXPIRES\s+IP\s+USER AGENT$/);
    expect(lines[1]).toContain(secondSid);
    // The client's escape sequence (C1 CSI) does not reach the operator's terminal.
    expect(lines[1]).toContain('?31mred');
    for (const line of lines) expect(line).not.toMatch(/\p{Cc}/u);
    expect(lines[2]).toBe(`${email}: 1 active session(s)`);
  });

  it('revoke-sessions ends every session of the user: the running app refuses their tokens within the session-cache bound', async () => {
    const { email, password, pair: first } = await registerUser(t.http);
    const second = await login(t.http, email, password);
    const other = await registerUser(t.http);
    // In the app's session cache before the command runs.
    await t.http().get('/api/users/me').set(bearer(first.accessToken)).expect(200);

    const result = await cli(['revoke-sessions', email]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ended 2 active session\(s\) of /);
    expect(logRecords(result.stderr)).toContainEqual(
      expect.objectContaining({
        event: 'admin.user.sessions_revoked',
        actorId: expect.stringMatching(/^cli/),
        userId: first.user.id,
      }),
    );
    // Another process without Redis between them: refused once the staleness bound passes.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expectSessionEnded(t.http, first);
    await expectSessionEnded(t.http, second);
    const reasons = await t.dataSource.query(
      'SELECT revoked_reason FROM sessions WHERE user_id = ?',
      [first.user.id],
    );
    expect(reasons).toEqual([{ revoked_reason: 'admin' }, { revoked_reason: 'admin' }]);
    // Someone else's session is untouched, and the user can log in again.
    await t.http().get('/api/users/me').set(bearer(other.pair.accessToken)).expect(200);
    await login(t.http, email, password);
  });

  it('reset-mfa removes a user’s second factor: the next login asks for the password only', async () => {
    const { email, password, pair } = await registerUser(t.http);
    const setup = await t
      .http()
      .post('/api/auth/mfa/totp/setup')
      .set(bearer(pair.accessToken))
      .expect(200);
    const code = authenticator
      .clone({ epoch: t.clock.now().getTime() })
      .generate(setup.body.secret);
    await t
      .http()
      .post('/api/auth/mfa/totp/confirm')
      .set(bearer(pair.accessToken))
      .send({ code })
      .expect(200);
    const challenged = await t.http().post('/api/auth/login').send({ email, password });
    expect(challenged.body.mfaRequired).toBe(true);

    const result = await cli(['reset-mfa', email]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^removed the second factor of /);
    expect(logRecords(result.stderr)).toContainEqual(
      expect.objectContaining({
        event: 'admin.user.mfa_reset',
        actorId: expect.stringMatching(/^cli/),
        userId: pair.user.id,
      }),
    );
    expect((await login(t.http, email, password)).accessToken).toEqual(expect.any(String));
    // The mfa token issued before the reset is void.
    const stale = await t
      .http()
      .post('/api/auth/mfa/verify')
      .send({ mfaToken: challenged.body.mfaToken, code });
    expect([stale.status, stale.body.code]).toEqual([401, 'mfa_token_invalid']);
    const again = await cli(['reset-mfa', email]);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/has no second factor/)]);
    const unknown = await cli(['reset-mfa', 'nobody@example.com']);
    expect(unknown.code).toBe(1);
  });

  it('fails with one line and status 1 (unknown email, bad config, no database) or 2 (usage)', async () => {
    const unreachable = { DATABASE_URL: 'mysql://u:p@127.0.0.1:1/db' };
    const [unknownList, unknownRevoke, badUrl, noDbApp, noDbMigrate, usage, help] =
      await Promise.all([
        cli(['list-sessions', 'nobody@example.com']),
        cli(['revoke-sessions', 'Nobody@Example.com']),
        cli(['list-sessions', 'a@b.co'], { DATABASE_URL: 'postgres://h/db' }),
        cli(['revoke-sessions', 'a@b.co'], unreachable),
        cli(['migrate'], unreachable),
        cli(['list-sessions']),
        cli(['--help']),
      ]);
    expect(unknownList).toMatchObject({ code: 1, stdout: '' });
    expect(expectOneLine(unknownList.stderr)).toBe(
      'error: no account with email nobody@example.com',
    );
    expect(unknownRevoke.code).toBe(1);
    expect(expectOneLine(unknownRevoke.stderr)).toBe(
      'error: no account with email nobody@example.com',
    );
    expect(badUrl.code).toBe(1);
    expect(expectOneLine(badUrl.stderr)).toMatch(/^configuration error: DATABASE_URL: /);
    for (const result of [noDbApp, noDbMigrate]) {
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(expectOneLine(result.stderr)).toMatch(/^error: cannot reach the database \(/);
    }
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(expectOneLine(usage.stderr)).toMatch(/one argument, the email .*\(see --help\)$/);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: /);
  });
  describe('send-reset and outbox (the mail outbox from the command line)', () => {
    const smtp = new TestSmtp();
    let outbox: OutboxService;
    const resetRows = (recipient: string) =>
      t.dataSource
        .getRepository(OutboxMail)
        .find({ where: { recipient, kind: 'password_reset' }, order: { createdAt: 'ASC' } });
    const tokenRows = (userId: string) =>
      t.dataSource.query<Array<{ used_at: unknown; voided_at: unknown }>>(
        'SELECT used_at, voided_at FROM password_reset_tokens WHERE user_id = ? ORDER BY created_at',
        [userId],
      );
    const linkToken = (text: string | undefined) =>
      /reset-password\?token=([A-Za-z0-9_-]{43})\b/.exec(text ?? '')?.[1];

    beforeAll(async () => {
      await smtp.start();
      // The running app's sender delivers over a real SMTP server (the CLI's never runs).
      outbox = t.app.get(OutboxService);
      outbox.useTransport(new SmtpTransport(smtp.url, DEFAULT_MAIL_FROM));
    });

    afterAll(async () => {
      await smtp.stop();
    });

    it('send-reset writes one pending mail and one token; a running server sends it and the link works', async () => {
      const { email, password, pair } = await registerUser(t.http);
      const userId = pair.user.id;

      const first = await cli(['send-reset', ` ${email.toUpperCase()} `]);
      expect(first.code).toBe(0);
      const [, firstMailId] =
        /^queued a password reset mail to (?:\S+) \(id [0-9a-f-]{36}\); outbox mail ([0-9a-f-]{36})$/m.exec(
          first.stdout,
        ) ?? [];
      expect(first.stdout).toContain(`mail to ${email} (id ${userId})`);
      expect(first.stdout).toMatch(/sends no mail itself:\s+a running server sends it/);
      expect(logRecords(first.stderr)).toContainEqual(
        expect.objectContaining({ event: 'auth.password_reset.requested', userId, ip: null }),
      );
      // The link exists in the mail alone.
      expect(first.stdout + first.stderr).not.toContain('token=');

      let rows = await resetRows(email);
      expect(rows.map((r) => [r.id, r.status, r.attempts])).toEqual([[firstMailId, 'pending', 0]]);
      expect(await tokenRows(userId)).toEqual([{ used_at: null, voided_at: null }]);

      // Listed, as a table and as JSON.
      const [table, json] = await Promise.all([
        cli(['outbox']),
        cli(['outbox', '--status', 'pending', '--json']),
      ]);
      expect(table.code).toBe(0);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^ID\s+KIND\s+RECIPIENT\s+STATUS\s+ATTEMPTS\s+NEXT ATTEMPT\s+LAST ERROR$/,
      );
      const line = lines.find((l) => l.startsWith(firstMailId));
      expect(line?.split(/\s{2,}/)).toEqual([
        firstMailId,
        'password_reset',
        email,
        'pending',
        '0',
        expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        '-',
      ]);
      expect(lines[lines.length - 1]).toMatch(/^\d+ pending, 0 sending, 0 failed$/);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toContainEqual({
        id: firstMailId,
        kind: 'password_reset',
        recipient: email,
        status: 'pending',
        attempts: 0,
        createdAt: expect.any(String),
        nextAttemptAt: expect.any(String),
        lastError: null,
      });

      // Again, as a second forgot request: the older link is voided, a second mail waits.
      const second = await cli(['send-reset', email]);
      expect(second.code).toBe(0);
      rows = await resetRows(email);
      expect(rows.map((r) => r.status)).toEqual(['pending', 'pending']);
      const tokens = await tokenRows(userId);
      expect(tokens).toHaveLength(2);
      expect(tokens[0].voided_at).not.toBeNull();
      expect(tokens[1]).toEqual({ used_at: null, voided_at: null });

      // The running server's sender (its next look) sends both, once each.
      const round = await outbox.sendDue();
      expect(round.sent).toBeGreaterThanOrEqual(2);
      // The reset mails (the Message-ID is the row's id), not the registration's verification.
      const resetIds = rows.map((r) => `<${r.id}@localhost>`);
      const mine = () => smtp.mails.filter((m) => resetIds.includes(m.messageId ?? ''));
      const deadline = Date.now() + 10_000;
      while (mine().length < 2 && Date.now() < deadline)
        await new Promise((ok) => setTimeout(ok, 20));
      await new Promise((ok) => setTimeout(ok, 200));
      expect(mine().map((m) => [m.messageId, m.to && 'text' in m.to && m.to.text])).toEqual(
        expect.arrayContaining(resetIds.map((id) => [id, email])),
      );
      expect(mine()).toHaveLength(2);
      expect((await resetRows(email)).map((r) => r.status)).toEqual(['sent', 'sent']);
      const listed = await cli(['outbox', '--json']);
      expect(
        (JSON.parse(listed.stdout) as OutboxRecordJson[]).map((r) => r.recipient),
      ).not.toContain(email);

      // The newer link sets the password and ends the sessions; the older one is void.
      const byId = (id: string) => mine().find((m) => m.messageId === `<${id}@localhost>`);
      const oldToken = linkToken(byId(rows[0].id)?.text);
      const newToken = linkToken(byId(rows[1].id)?.text);
      expect(oldToken).toBeDefined();
      expect(newToken).toBeDefined();
      await t
        .http()
        .post('/api/auth/password/reset')
        .send({ token: oldToken, password: 'a new password 1' })
        .expect(400);
      await t
        .http()
        .post('/api/auth/password/reset')
        .send({ token: newToken, password: 'a new password 1' })
        .expect(204);
      await expectSessionEnded(t.http, pair);
      await login(t.http, email, 'a new password 1');
      await t.http().post('/api/auth/login').send({ email, password }).expect(401);
    });

    it('send-reset refuses an unknown or disabled address with status 1 and writes nothing', async () => {
      const disabled = await registerUser(t.http);
      await t.dataSource.getRepository(User).update(disabled.pair.user.id, { disabled: true });
      const [unknown, off, noArg] = await Promise.all([
        cli(['send-reset', 'Nobody@Example.com']),
        cli(['send-reset', disabled.email]),
        cli(['send-reset']),
      ]);
      expect(unknown).toMatchObject({ code: 1, stdout: '' });
      expect(expectOneLine(unknown.stderr)).toBe('error: no account with email nobody@example.com');
      expect(off).toMatchObject({ code: 1, stdout: '' });
      expect(expectOneLine(off.stderr)).toBe(
        `error: account ${disabled.email} is disabled; no reset mail written`,
      );
      expect(noArg).toMatchObject({ code: 2, stdout: '' });
      expect(expectOneLine(noArg.stderr)).toMatch(/send-reset takes one argument, the email/);
      expect(await resetRows('nobody@example.com')).toEqual([]);
      expect(await resetRows(disabled.email)).toEqual([]);
      expect(await tokenRows(disabled.pair.user.id)).toEqual([]);
    });

    it('outbox --status failed lists the mails given up, with attempts and the last error', async () => {
      const repo = t.dataSource.getRepository(OutboxMail);
      const now = new Date();
      const base = {
        kind: 'password_reset',
        subject: 'Reset your password',
        textBody: 'x',
        htmlBody: null,
        createdAt: now,
        claimedUntil: null,
        sentAt: null,
      };
      const failedId = randomUUID();
      const pendingId = randomUUID();
      await repo.insert([
        {
          ...base,
          id: failedId,
          recipient: 'gave-up@example.com',
          status: 'failed',
          attempts: 8,
          nextAttemptAt: now,
          // An SMTP server's reply, with a terminal escape in it.
          lastError: '550 5.1.1 mailbox unavailable \u001b[31m',
        },
        {
          ...base,
          id: pendingId,
          recipient: 'waiting@example.com',
          status: 'pending',
          attempts: 2,
          nextAttemptAt: new Date(now.getTime() + 3_600_000),
          lastError: 'connect ECONNREFUSED 127.0.0.1:25',
        },
      ]);
      try {
        const [table, json, all, bad, extra] = await Promise.all([
          cli(['outbox', '--status', 'failed']),
          cli(['outbox', '--status', 'failed', '--json']),
          cli(['outbox', '--status', 'failed', '--status', 'pending']),
          cli(['outbox', '--status', 'sent']),
          cli(['outbox', 'now']),
        ]);
        expect(table.code).toBe(0);
        const lines = table.stdout.trimEnd().split('\n');
        expect(lines[0]).toMatch(/^ID\s+KIND\s+RECIPIENT\s+STATUS/);
        expect(lines.slice(1, -1).map((l) => l.split(/\s{2,}/))).toEqual([
          [
            failedId,
            'password_reset',
            'gave-up@example.com',
            'failed',
            '8',
            '-',
            '550 5.1.1 mailbox unavailable ?[31m',
          ],
        ]);
        expect(lines[lines.length - 1]).toBe('1 failed');
        for (const l of lines) expect(l).not.toMatch(/\p{Cc}/u);

        expect(json.code).toBe(0);
        expect(JSON.parse(json.stdout)).toEqual([
          {
            id: failedId,
            kind: 'password_reset',
            recipient: 'gave-up@example.com',
            status: 'failed',
            attempts: 8,
            createdAt: expect.any(String),
            nextAttemptAt: null,
            lastError: '550 5.1.1 mailbox unavailable \u001b[31m',
          },
        ]);

        expect(all.code).toBe(0);
        expect(all.stdout).toContain(failedId);
        const pendingLine = all.stdout.split('\n').find((l) => l.startsWith(pendingId));
        expect(pendingLine?.split(/\s{2,}/).slice(3)).toEqual([
          'pending',
          '2',
          new Date(now.getTime() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          'connect ECONNREFUSED 127.0.0.1:25',
        ]);
        expect(all.stdout.trimEnd().split('\n').pop()).toBe('1 failed, 1 pending');

        expect(bad).toMatchObject({ code: 2, stdout: '' });
        expect(expectOneLine(bad.stderr)).toMatch(
          /--status "sent" is not one of pending, sending, failed/,
        );
        expect(extra).toMatchObject({ code: 2, stdout: '' });
        expect(expectOneLine(extra.stderr)).toMatch(/outbox takes no arguments/);
      } finally {
        await repo.delete([failedId, pendingId]);
      }
    });
  });
});
