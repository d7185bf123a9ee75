import { connect } from 'node:net';
import { createTestApp, TestApp } from './utils/create-app';
import { listenLocal } from './utils/raw-http';

/**
 * 408 request_timeout (docs/API.md): Node's HTTP parser gives up on a request whose headers do
 * not arrive in time, before Fastify has a request; the answer still has the contract's shape.
 * The server's headersTimeout is shortened here (60 s by default) and checked every 50 ms.
 */
describe('request timeout (e2e)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp(
      {},
      { server: { headersTimeout: 300, connectionsCheckingInterval: 50 } },
    );
    port = await listenLocal(t);
  });
  afterAll(() => t.close());

  /** Sends `data` on a raw connection and resolves to everything the server wrote back. */
  const exchange = (data: string) =>
    new Promise<{ text: string; ms: number }>((resolve, reject) => {
      const started = Date.now();
      const socket = connect(port, '127.0.0.1', () => socket.write(data));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () =>
        resolve({ text: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }),
      );
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    });

  it('headers that stop arriving get 408 request_timeout in the error shape, then the connection closes', async () => {
    const { text, ms } = await exchange('POST /api/auth/login HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(head).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(head).toMatch(/\r\nConnection: close/);
    expect(JSON.parse(body)).toEqual({
      statusCode: 408,
      error: 'Request Timeout',
      code: 'request_timeout',
      message: 'Request timed out',
    });
    expect(ms).toBeGreaterThanOrEqual(250);
  });

  it('a request that completes in time is answered as usual on the same server', async () => {
    const { text } = await exchange(
      'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
