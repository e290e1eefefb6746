import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';

/** A raw keep-alive connection: send a request, read one response, keep the socket. */
class Connection {
  private buffer = '';
  private closedAt: number | null = null;
  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.buffer += chunk.toString('utf8')));
    socket.on('close', () => (this.closedAt = Date.now()));
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<Connection> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new Connection(socket);
  }

  /** GET `path`; resolves with the response head, or null when the server closed the connection instead. */
  async get(path: string, port: number): Promise<string | null> {
    this.buffer = '';
    if (this.closedAt !== null) return null;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
    const deadline = Date.now() + 5000;
    while (!/\r\n\r\n/.test(this.buffer)) {
      if (this.closedAt !== null || Date.now() > deadline) return null;
      await delay(10);
    }
    return this.buffer.slice(0, this.buffer.indexOf('\r\n\r\n'));
  }

  get isClosed(): boolean {
    return this.closedAt !== null;
  }

  /** Milliseconds from `since` to the server's close. */
  closedAfter(since: number): number {
    return (this.closedAt ?? Number.NaN) - since;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

describe.each(['express', 'fastify'])('keep-alive and header timeouts behind a load balancer, on the Node HTTP server itself (HTTP_ADAPTER=%s)', (adapter) => {
  const apis: ApiProcess[] = [];
  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
  });

  it("keeps an idle connection open longer than a load balancer does (65 s by default, not Node's 5 s)", async () => {
    const api = await startApi({ env: { HTTP_ADAPTER: adapter } });
    apis.push(api);
    const connection = await Connection.open(api.port);
    try {
      const first = await connection.get('/api/health', api.port);
      expect(first).toMatch(/^HTTP\/1\.1 200 /);
      expect(first).toMatch(/\r\nKeep-Alive: timeout=65(\r\n|$)/i);
      // Past Node's default of 5 s, the same socket still serves: a balancer reusing it gets no ECONNRESET.
      await delay(6000);
      expect(connection.isClosed).toBe(false);
      expect(await connection.get('/api/health', api.port)).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      connection.destroy();
    }
  }, 30_000);

  it('applies HTTP_KEEP_ALIVE_TIMEOUT_MS: the server itself closes a connection idle for longer', async () => {
    const api = await startApi({ env: { HTTP_ADAPTER: adapter, HTTP_KEEP_ALIVE_TIMEOUT_MS: '1500' } });
    apis.push(api);
    const connection = await Connection.open(api.port);
    try {
      expect(await connection.get('/api/health', api.port)).toMatch(/\r\nKeep-Alive: timeout=1(\r\n|$)/i);
      const idleSince = Date.now();
      // Node closes an idle socket at keepAliveTimeout plus its keepAliveTimeoutBuffer (1 s), on a timer that a busy
      // machine fires late: wait for the close rather than a fixed time. Without the setting it would stay open 65 s.
      while (!connection.isClosed && Date.now() - idleSince < 10_000) await delay(50);
      expect(connection.isClosed).toBe(true);
      expect(connection.closedAfter(idleSince)).toBeGreaterThanOrEqual(1400);
    } finally {
      connection.destroy();
    }
  }, 30_000);
});
