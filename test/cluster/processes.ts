import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Instance, Reply } from './harness';

/**
 * Who serves what, read from Linux's /proc rather than from anything the server says about
 * itself: the children of a cluster primary, and which of them holds the server side of a given
 * TCP connection (the socket inode of that connection in /proc/net/tcp, found among the fds of
 * each process).
 */

function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** The process exists and is not a zombie. */
export function alive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z';
}

/** The live processes whose parent is `pid`, in pid order. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => {
      const s = stat(child);
      return s !== null && s.ppid === pid && s.state !== 'Z';
    })
    .sort((a, b) => a - b);
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  const dir = `/proc/${pid}/fd`;
  if (!existsSync(dir)) return inodes;
  for (const fd of readdirSync(dir)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${dir}/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

interface TcpRow {
  localPort: number;
  remotePort: number;
  inode: string;
}

function tcpRows(): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const port = (address: string) => parseInt(address.split(':').pop()!, 16);
      rows.push({ localPort: port(fields[1]), remotePort: port(fields[2]), inode: fields[9] });
    }
  }
  return rows;
}

/** Which of `pids` holds the server end (local `serverPort`) of the connection from `clientPort`. */
export function ownerOf(serverPort: number, clientPort: number, pids: number[]): number[] {
  const row = tcpRows().find((r) => r.localPort === serverPort && r.remotePort === clientPort);
  if (!row) return [];
  return pids.filter((pid) => socketInodes(pid).has(row.inode));
}

/** How many TCP connections to `remotePort` (e.g. the database's) process `pid` holds. */
export function connectionsTo(pid: number, remotePort: number): number {
  const mine = socketInodes(pid);
  return tcpRows().filter((r) => r.remotePort === remotePort && mine.has(r.inode)).length;
}

/**
 * One kept-alive connection to an instance whose serving process is known: every request goes
 * over it as long as the server keeps it open. A reply says whether it still did (`pinned`).
 */
export class PinnedClient {
  private constructor(
    private readonly instance: Instance,
    private readonly agent: Agent,
    private readonly socket: Socket,
    /** The worker process that holds the server end. */
    readonly pid: number,
  ) {}

  /** Opens a connection (one GET /api/health on it) and finds its worker among `pids`. */
  static async open(instance: Instance, pids: number[]): Promise<PinnedClient> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { socket, reply } = await send(instance, agent, 'GET', '/api/health');
    if (reply.status !== 200 || !socket) {
      agent.destroy();
      throw new Error(`health on a new connection: ${reply.status} ${reply.error ?? ''}`);
    }
    const owners = ownerOf(instance.port, socket.localPort!, pids);
    if (owners.length !== 1) {
      agent.destroy();
      throw new Error(`connection from port ${socket.localPort}: owners ${owners.join(',')}`);
    }
    return new PinnedClient(instance, agent, socket, owners[0]);
  }

  async call(
    method: string,
    path: string,
    options: { body?: unknown; token?: string; timeoutMs?: number } = {},
  ): Promise<Reply & { pinned: boolean }> {
    const { socket, reply } = await send(this.instance, this.agent, method, path, options);
    return { ...reply, pinned: socket === this.socket };
  }

  close(): void {
    this.agent.destroy();
  }
}

function send(
  instance: Instance,
  agent: Agent,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<{ socket?: Socket; reply: Reply }> {
  const started = performance.now();
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let settled = false;
    const done = (reply: Omit<Reply, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ socket, reply: { ...reply, ms: performance.now() - started } });
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: instance.port,
        method,
        path,
        agent,
        timeout: options.timeoutMs ?? 10_000,
        headers: {
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(options.token && { authorization: `Bearer ${options.token}` }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text
          }
          done({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', (error: NodeJS.ErrnoException) =>
          done({ status: 0, body: null, error: error.code ?? error.message }),
        );
      },
    );
    req.on('socket', (s: Socket) => (socket = s));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) =>
      done({ status: 0, body: null, error: error.code ?? error.message }),
    );
    req.end(body);
  });
}

/**
 * `perWorker` pinned connections to each of `pids` (the primary hands new connections to its
 * workers in turn); fails if some worker does not get its share within `attempts` connections.
 */
export async function pinnedClients(
  instance: Instance,
  pids: number[],
  perWorker: number,
  attempts = 20 * perWorker * pids.length,
): Promise<Map<number, PinnedClient[]>> {
  const byPid = new Map<number, PinnedClient[]>(pids.map((pid) => [pid, []]));
  for (let i = 0; i < attempts; i++) {
    if ([...byPid.values()].every((list) => list.length >= perWorker)) return byPid;
    const client = await PinnedClient.open(instance, pids);
    const list = byPid.get(client.pid)!;
    if (list.length < perWorker) list.push(client);
    else client.close();
  }
  for (const list of byPid.values()) for (const client of list) client.close();
  throw new Error(`no ${perWorker} connections to each of ${pids.join(', ')} in ${attempts}`);
}
