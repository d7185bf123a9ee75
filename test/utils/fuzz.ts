import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/** mulberry32: a small seeded PRNG, so a failing fuzz run replays from its seed. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpFuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body in chunks without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
}

const TIMEOUT_MS = 10_000;

/** One request through node:http with a keep-alive agent; rejects on a transport error. */
export function sendHttp(port: number, agent: Agent, req: HttpFuzzRequest): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    if (req.body && !req.chunked) headers['Content-Length'] = String(req.body.length);
    // Explicit, so Node frames the body for GET/HEAD/DELETE too (it only defaults to chunked
    // for methods that usually carry one, and would send the bytes unframed otherwise).
    if (req.body && req.chunked) headers['Transfer-Encoding'] = 'chunked';
    const client = httpRequest(
      { host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    client.setTimeout(TIMEOUT_MS, () => client.destroy(new Error('timeout')));
    client.on('error', reject);
    if (req.body && req.chunked) {
      const cut = Math.floor(req.body.length / 2);
      client.write(req.body.subarray(0, cut));
      client.end(req.body.subarray(cut));
    } else {
      client.end(req.body);
    }
  });
}

/**
 * Raw bytes on a fresh socket (malformed request lines, header bytes node:http refuses to
 * send, conflicting framing), read until the server closes. Resolves null when the server
 * closed without answering.
 */
export function sendRaw(port: number, bytes: Buffer): Promise<FuzzResponse | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A complete answer is enough: a kept-alive connection would otherwise stay open.
      if (parseRawResponse(Buffer.concat(chunks), true)) finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after a complete answer is how a server ends a connection it will not reuse.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish();
      else reject(error);
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(parseRawResponse(Buffer.concat(chunks)));
    }
    socket.write(bytes);
  });
}

/**
 * The first HTTP/1.1 response in `data`, or null when there is none. With `complete`, also
 * null until the whole body announced by Content-Length has arrived.
 */
export function parseRawResponse(data: Buffer, complete = false): FuzzResponse | null {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(end + 4);
  const length = Number(headers['content-length']);
  if (complete && !(Number.isInteger(length) && body.length >= length)) return null;
  if (Number.isInteger(length)) body = body.subarray(0, length);
  return { status: Number(match[1]), headers, body };
}
