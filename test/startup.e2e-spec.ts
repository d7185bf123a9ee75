import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import {
  TEST_ACCESS_SECRET,
  TEST_DATA_ENCRYPTION_KEY,
  TEST_REFRESH_SECRET,
} from './utils/test-env';

/**
 * The real entry point (src/main.ts) as a child process: configuration errors must stop the
 * start with one line and exit code 1, and a good configuration must serve and stop cleanly.
 */
const ROOT = join(__dirname, '..');
const START_TIMEOUT_MS = 20_000;

const BASE_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PORT: '0',
  DATABASE_URL: 'sqlite::memory:',
  JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
  JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
  DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY,
};

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();

/** Starts the server with exactly `env` (plus PATH/HOME): nothing leaks in from the test's environment. */
function startServer(env: Record<string, string | undefined>) {
  const cleanEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
  };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) cleanEnv[key] = value;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: cleanEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      // 'close' follows once the pipes are drained; wait for it so no output is lost.
      child.on('close', () => {
        children.delete(child);
        resolve({ code, signal, stdout, stderr });
      });
    });
  });
  return { child, exited };
}

/** The exit, or a failure naming what was printed if the process outlives `ms`. */
async function exitWithin(
  started: ReturnType<typeof startServer>,
  ms = START_TIMEOUT_MS,
): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      started.child.kill('SIGKILL');
      reject(new Error(`server still running after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([started.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function expectOneLineNoStack(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toContain('    at ');
  return lines[0];
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForHealth(
  port: number,
  started: ReturnType<typeof startServer>,
): Promise<Response> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void started.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      return await fetch(`http://127.0.0.1:${port}/api/health`);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(exited ? 'server exited before serving' : 'server did not answer in time');
}

describe('server start (src/main.ts as a child process)', () => {
  jest.setTimeout(30_000);

  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('stops with exit code 1 and one line naming ACCESS_TOKEN_TTL when it is not a duration', async () => {
    const result = await exitWithin(startServer({ ...BASE_ENV, ACCESS_TOKEN_TTL: 'abc' }));
    expect(result.code).toBe(1);
    expect(expectOneLineNoStack(result.stderr)).toContain('ACCESS_TOKEN_TTL');
  });

  it.each([
    ['2', /^Configuration error: WEB_CONCURRENCY: 2 processes need MySQL\/MariaDB/],
    ['lots', /^Configuration error: WEB_CONCURRENCY: "lots" must be a whole number from 1 to 64/],
  ])(
    'stops with exit code 1 and one line for WEB_CONCURRENCY=%s on SQLite',
    async (value, line) => {
      const result = await exitWithin(startServer({ ...BASE_ENV, WEB_CONCURRENCY: value }));
      expect(result.code).toBe(1);
      expect(expectOneLineNoStack(result.stderr)).toMatch(line);
    },
  );

  it('refuses to start in production without JWT secrets, naming JWT_ACCESS_SECRET', async () => {
    const result = await exitWithin(
      startServer({
        ...BASE_ENV,
        NODE_ENV: 'production',
        JWT_ACCESS_SECRET: undefined,
        JWT_REFRESH_SECRET: undefined,
      }),
    );
    expect(result.code).toBe(1);
    expect(expectOneLineNoStack(result.stderr)).toContain('JWT_ACCESS_SECRET');
  });

  it('refuses to start in production without DATA_ENCRYPTION_KEY (TOTP secrets), naming it', async () => {
    const result = await exitWithin(
      startServer({
        ...BASE_ENV,
        NODE_ENV: 'production',
        JWT_ACCESS_SECRET: 'a'.repeat(48),
        JWT_REFRESH_SECRET: 'b'.repeat(48),
        DATA_ENCRYPTION_KEY: undefined,
      }),
    );
    expect(result.code).toBe(1);
    expect(expectOneLineNoStack(result.stderr)).toContain('DATA_ENCRYPTION_KEY');
  });

  it('refuses to start in production with secrets shorter than 32 bytes', async () => {
    const result = await exitWithin(
      startServer({
        ...BASE_ENV,
        NODE_ENV: 'production',
        JWT_ACCESS_SECRET: 'short-access-secret',
        JWT_REFRESH_SECRET: 'short-refresh-secret',
      }),
    );
    expect(result.code).toBe(1);
    expect(expectOneLineNoStack(result.stderr)).toMatch(/JWT_(ACCESS|REFRESH)_SECRET/);
  });

  it('stops with one line and no stack when the MySQL database is unreachable', async () => {
    const result = await exitWithin(
      startServer({ ...BASE_ENV, DATABASE_URL: 'mysql://u:p@127.0.0.1:1/db' }),
      START_TIMEOUT_MS,
    );
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expectOneLineNoStack(result.stderr);
  });

  it('serves /api/health with a valid configuration and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const started = startServer({ ...BASE_ENV, PORT: String(port) });

    const res = await waitForHealth(port, started);
    expect(res.status).toBe(200);
    await expect(res.json()).resolves.toEqual({ status: 'ok', db: 'up' });

    started.child.kill('SIGTERM');
    const result = await exitWithin(started);
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    expect(result.stderr).toBe('');
  }, 45_000);

  it('logs the security posture once it listens, and a warning for a weak bcrypt cost', async () => {
    const port = await freePort();
    const started = startServer({
      ...BASE_ENV,
      PORT: String(port),
      LOG_LEVEL: 'info',
      BCRYPT_COST: '9',
      CORS_ORIGINS: 'https://app.example.com',
    });
    await waitForHealth(port, started);
    started.child.kill('SIGTERM');
    const result = await exitWithin(started);
    const records = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; context?: string; msg: string });
    const posture = records.filter((record) => record.context === 'SecurityPosture');
    expect(posture[0]).toMatchObject({ level: 30 });
    for (const setting of [
      'NODE_ENV: test',
      'database: sqlite in memory',
      'bcrypt cost: 9',
      'CORS: https://app.example.com',
      'refresh cookie: HttpOnly; SameSite=Strict; Path=/api/auth; not Secure',
    ]) {
      expect(posture[0].msg).toContain(setting);
    }
    expect(posture[0].msg).not.toContain(TEST_ACCESS_SECRET);
    expect(posture.slice(1)).toEqual([
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/BCRYPT_COST is 9/) }),
    ]);
  }, 45_000);
});
