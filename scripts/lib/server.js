// Starts the built server (dist/main.js, with start:prod's node flags) on 127.0.0.1, for the benchmarks and the Swagger UI
// check. By default on a throwaway SQLite file (removed by stop); with `databaseUrl` on that
// database, which the caller owns and which outlives stop. Returns { base, port, pid, stop }:
// `pid` is the server process itself (for its RSS in /proc/<pid>/status).
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/**
 * The node flags of `npm run start:prod` (package.json), so that what is measured or tested
 * runs exactly as production does.
 */
function productionNodeFlags() {
  const command = require('../../package.json').scripts['start:prod'].split(/\s+/);
  return command.slice(1, command.indexOf('dist/main.js'));
}

/** A port nothing listens on now, so a run never talks to another run's server. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * `stdio` is the child's stdout/stderr target: 'inherit' (default), 'ignore', or a file
 * descriptor (e.g. a log file the caller opened). `nodeFlags` come after start:prod's (the
 * profiler's `--cpu-prof`).
 */
async function startServer({
  port,
  env = {},
  databaseUrl,
  stdio = 'inherit',
  nodeFlags = [],
} = {}) {
  port ??= await freePort();
  const dir = databaseUrl ? null : mkdtempSync(join(tmpdir(), 'auth-server-'));
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...productionNodeFlags(), ...nodeFlags, 'dist/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl ?? `sqlite:${join(dir, 'server.sqlite')}`,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', stdio, stdio],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${base}/api/health`)).ok) return { base, port, pid: child.pid, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const code = child.exitCode;
  await stop();
  throw new Error(
    code === null
      ? 'server did not become healthy within 30 s'
      : `server exited with code ${code} during start`,
  );
}

module.exports = { startServer, freePort, productionNodeFlags };
