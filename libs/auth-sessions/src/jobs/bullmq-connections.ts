import type { QueueBase } from 'bullmq';

/** What shutdown needs of an ioredis client that BullMQ opened: its status, and closing it. */
export interface BullRedisClient {
  status: string;
  disconnect(reconnect?: boolean): void;
  connect(): Promise<unknown>;
  on(event: 'close', listener: () => void): unknown;
}

/** The public side of BullMQ's Redis backend that is read here: its one or two connections. */
interface RedisBackend {
  connection: { client: Promise<unknown> };
  blockingConnection?: { client: Promise<unknown> };
}

/**
 * The Redis connections of a BullMQ queue or worker, seen from shutdown: whether Redis answers on
 * all of them, and ending those where it does not. BullMQ's `close()` sends QUIT behind whatever
 * commands wait for Redis and waits for the answer, so with Redis unreachable it returns only when
 * Redis is back; an ended connection fails those commands and lets it return at once.
 */
export class BullConnections {
  private readonly clients: BullRedisClient[] = [];
  private readonly expected: number;

  constructor(owner: QueueBase) {
    const backend = owner.getBackend() as unknown as RedisBackend;
    const connections = [backend.connection, backend.blockingConnection].filter((connection) => connection !== undefined);
    this.expected = connections.length;
    // A connection is listed once it has connected; one that never did is closed by BullMQ without
    // waiting on Redis.
    for (const connection of connections) {
      connection.client.then(
        (client) => this.clients.push(client as BullRedisClient),
        () => undefined,
      );
    }
  }

  /** Whether every connection has connected and Redis answers on each of them now. */
  get isReachable(): boolean {
    return this.clients.length === this.expected && this.clients.every((client) => client.status === 'ready');
  }

  /**
   * Ends the connections that cannot reach Redis now, and any that loses it later (Redis going
   * away during a graceful close). A connection that works is left alone: its close drains as usual.
   */
  endUnreachable(): void {
    for (const client of this.clients) {
      endIfUnreachable(client);
      client.on('close', () => endIfUnreachable(client));
    }
  }
}

function endIfUnreachable(client: BullRedisClient): void {
  if (client.status === 'ready' || client.status === 'end') return;
  const isWaitingToReconnect = client.status === 'reconnecting';
  client.disconnect();
  // ioredis ends a client that is waiting to reconnect without failing its queued commands
  // (https://github.com/redis/ioredis/pull/2169): one more attempt, now marked as a manual close,
  // ends it when that attempt fails (at once when refused, after ioredis's `connectTimeout` when
  // nothing answers) and fails them. Should Redis answer instead, the queued commands simply run.
  if (isWaitingToReconnect) client.connect().catch(() => undefined);
}
