import type { QueueBase } from 'bullmq';
import { BullConnections, type BullRedisClient } from './bullmq-connections.js';

class FakeClient implements BullRedisClient {
  readonly calls: string[] = [];
  private readonly closeListeners: Array<() => void> = [];

  constructor(public status: string) {}

  disconnect(): void {
    this.calls.push('disconnect');
  }

  connect(): Promise<unknown> {
    this.calls.push('connect');
    return Promise.reject(new Error('connect ECONNREFUSED'));
  }

  on(_event: 'close', listener: () => void): this {
    this.closeListeners.push(listener);
    return this;
  }

  lose(): void {
    this.status = 'reconnecting';
    for (const listener of this.closeListeners) listener();
  }
}

/** A queue or worker whose connections have connected to these clients (a blocking one is optional). */
function ownerOf(main: FakeClient, blocking?: FakeClient | 'never connected'): QueueBase {
  const connection = (client: FakeClient | 'never connected') => ({
    client: client === 'never connected' ? new Promise(() => undefined) : Promise.resolve(client),
  });
  const backend = { connection: connection(main), ...(blocking ? { blockingConnection: connection(blocking) } : {}) };
  return { getBackend: () => backend } as unknown as QueueBase;
}

/** Lets the connections' `client` promises settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BullConnections', () => {
  describe('isReachable', () => {
    it('should be true when every connection is connected and ready', async () => {
      const connections = new BullConnections(ownerOf(new FakeClient('ready'), new FakeClient('ready')));
      await settle();
      expect(connections.isReachable).toBe(true);
    });

    it('should be false when one connection waits to reconnect', async () => {
      const connections = new BullConnections(ownerOf(new FakeClient('ready'), new FakeClient('reconnecting')));
      await settle();
      expect(connections.isReachable).toBe(false);
    });

    it('should be false when one connection never connected', async () => {
      const connections = new BullConnections(ownerOf(new FakeClient('ready'), 'never connected'));
      await settle();
      expect(connections.isReachable).toBe(false);
    });
  });

  describe('endUnreachable', () => {
    it('should leave a ready connection alone, so its close drains', async () => {
      const client = new FakeClient('ready');
      const connections = new BullConnections(ownerOf(client));
      await settle();
      connections.endUnreachable();
      expect(client.calls).toEqual([]);
    });

    it('should disconnect a connection waiting to reconnect and make one last attempt, which fails its queued commands', async () => {
      const client = new FakeClient('reconnecting');
      const connections = new BullConnections(ownerOf(client));
      await settle();
      connections.endUnreachable();
      expect(client.calls).toEqual(['disconnect', 'connect']);
    });

    it('should disconnect a connection that is connecting (its attempt then ends it)', async () => {
      const client = new FakeClient('connecting');
      const connections = new BullConnections(ownerOf(client));
      await settle();
      connections.endUnreachable();
      expect(client.calls).toEqual(['disconnect']);
    });

    it('should end a ready connection once it loses Redis during the close', async () => {
      const client = new FakeClient('ready');
      const connections = new BullConnections(ownerOf(client));
      await settle();
      connections.endUnreachable();
      client.lose();
      expect(client.calls).toEqual(['disconnect', 'connect']);
    });

    it('should leave an ended connection alone', async () => {
      const client = new FakeClient('end');
      const connections = new BullConnections(ownerOf(client));
      await settle();
      connections.endUnreachable();
      expect(client.calls).toEqual([]);
    });
  });
});
