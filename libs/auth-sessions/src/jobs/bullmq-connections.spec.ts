import type { QueueBase } from 'bullmq';
import { BullConnections, type BullRedisClient } from './bullmq-connections.js';

class FakeClient implements BullRedisClient {
  readonly calls: string[] = [];
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    public status: string,
    /** How a PING goes: answered, never answered (a stopped server), or failed. */
    private readonly pingOutcome: 'answers' | 'silent' | 'fails' = 'answers',
  ) {}

  ping(): Promise<unknown> {
    this.calls.push('ping');
    if (this.pingOutcome === 'answers') return Promise.resolve('PONG');
    if (this.pingOutcome === 'fails') return Promise.reject(new Error('Connection is closed.'));
    return new Promise(() => undefined);
  }

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

  describe('answersWithin', () => {
    it('should be true when Redis answers a PING on the command connection, leaving the blocked one alone', async () => {
      const main = new FakeClient('ready');
      const blocking = new FakeClient('ready', 'silent');
      const connections = new BullConnections(ownerOf(main, blocking));
      await settle();
      expect(await connections.answersWithin(1000)).toBe(true);
      expect([main.calls, blocking.calls]).toEqual([['ping'], []]);
    });

    it('should be false when the PING gets no answer in time, though every connection looks up', async () => {
      const connections = new BullConnections(ownerOf(new FakeClient('ready', 'silent'), new FakeClient('ready')));
      await settle();
      expect(connections.isReachable).toBe(true);
      expect(await connections.answersWithin(20)).toBe(false);
    });

    it('should be false when the PING fails', async () => {
      const connections = new BullConnections(ownerOf(new FakeClient('ready', 'fails')));
      await settle();
      expect(await connections.answersWithin(1000)).toBe(false);
    });

    it('should be false without asking when a connection is not up', async () => {
      const main = new FakeClient('ready');
      const connections = new BullConnections(ownerOf(main, new FakeClient('reconnecting')));
      await settle();
      expect(await connections.answersWithin(1000)).toBe(false);
      expect(main.calls).toEqual([]);
    });
  });

  describe('endAll', () => {
    it('should disconnect every connection that has not ended, ready ones included', async () => {
      const main = new FakeClient('ready', 'silent');
      const blocking = new FakeClient('ready');
      const ended = new FakeClient('end');
      const connections = new BullConnections(ownerOf(main, blocking));
      const alreadyEnded = new BullConnections(ownerOf(ended));
      await settle();
      connections.endAll();
      alreadyEnded.endAll();
      expect([main.calls, blocking.calls, ended.calls]).toEqual([['disconnect'], ['disconnect'], []]);
    });

    it('should end a connection waiting to reconnect as endUnreachable does, with one last attempt that fails its queued commands', async () => {
      const reconnecting = new FakeClient('reconnecting');
      const connections = new BullConnections(ownerOf(new FakeClient('ready'), reconnecting));
      await settle();
      connections.endAll();
      expect(reconnecting.calls).toEqual(['disconnect', 'connect']);
    });
  });
});
