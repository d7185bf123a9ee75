import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const SERVER = resolve(__dirname, '../../examples/resource-server/server.js');

/** The sample resource server (examples/resource-server) as a real process on 127.0.0.1. */
export interface ResourceServer {
  base: string;
  /** Everything it printed (stdout and stderr). */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `node examples/resource-server/server.js` on a free port with `env` (AUTH_URL,
 * AUTH_ALGS, …) and waits for its `listening on` line. `jose` resolves from the example's own
 * node_modules when installed, else from the repository's (a devDependency).
 */
export function startResourceServer(env: Record<string, string>): Promise<ResourceServer> {
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`resource server did not start within 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      ok({
        base: match[1],
        output: () => output,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`resource server exited (${code}) during start:\n${output}`));
    });
  });
}

/** GET `path` on the resource server with a bearer token; never throws. */
export async function callResource(
  server: ResourceServer,
  path: string,
  token?: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(server.base + path, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}
