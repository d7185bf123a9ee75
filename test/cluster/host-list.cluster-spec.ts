import { createServer, Server } from 'node:net';
import {
  call,
  freshDatabase,
  Instance,
  login,
  refresh,
  register,
  report,
  startInstance,
  stopAll,
} from './harness';

/** A port on 127.0.0.1 that accepts TCP and closes it at once: a server that is "up" but broken. */
async function slammingPort(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, port: (server.address() as { port: number }).port };
}

/** A port nothing listens on (connections refused). */
async function refusedPort(): Promise<number> {
  const { server, port } = await slammingPort();
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * DATABASE_URL with a host list (failover-pool.ts): the instance starts, migrates and serves
 * through the first host that works, whatever the hosts before it do (refuse connections, or
 * accept and hang up). The Galera suite (npm run test:galera) kills and restarts real nodes.
 */
describe('cluster: DATABASE_URL with several hosts', () => {
  const instances: Instance[] = [];
  let slam: Server | undefined;

  afterAll(async () => {
    await stopAll(instances);
    await new Promise((ok) => (slam ? slam.close(ok) : ok(undefined)));
  });

  it('starts and serves through the first working host of the list, in order', async () => {
    const url = new URL(await freshDatabase('hosts'));
    const refused = await refusedPort();
    const slamming = await slammingPort();
    slam = slamming.server;
    const real = `${url.hostname}:${url.port}`;
    const list = `127.0.0.1:${refused},127.0.0.1:${slamming.port},${real}`;
    const databaseUrl = `mysql://${url.username}:${url.password}@${list}${url.pathname}`;
    const started = Date.now();
    const instance = await startInstance('hosts', databaseUrl);
    instances.push(instance);
    const startMs = Date.now() - started;

    const pair = await register(instance, 'hosts@example.com');
    const me = await call(instance, 'GET', '/api/users/me', { token: pair.accessToken });
    expect(me.status).toBe(200);
    const statuses: number[] = [];
    let token = pair.refreshToken;
    for (let i = 0; i < 20; i++) {
      const res = await refresh(instance, token);
      statuses.push(res.status);
      if (res.status === 200) token = (res.body as { refreshToken: string }).refreshToken;
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect((await login(instance, 'hosts@example.com')).status).toBe(200);
    report('host-list', { hosts: 3, workingHost: 3, startMs, refreshes: statuses.length });
  });

  it('does not start when no host of the list works (it cannot migrate)', async () => {
    const url = new URL(await freshDatabase('hosts'));
    const hosts = `127.0.0.1:${await refusedPort()},127.0.0.1:${await refusedPort()}`;
    const dead = `mysql://${url.username}:${url.password}@${hosts}${url.pathname}`;
    const failure = startInstance('none', dead);
    await expect(failure).rejects.toThrow(/exited during start/);
    await expect(failure).rejects.toThrow(/ECONNREFUSED|connect/i);
  });
});
