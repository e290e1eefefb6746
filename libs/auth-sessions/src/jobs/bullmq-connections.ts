import type { QueueBase } from 'bullmq';
import { withDeadline } from '../common/deadline.js';

/** What shutdown needs of an ioredis client that BullMQ opened: its status, and closing it. */
export interface BullRedisClient {
  status: string;
  ping(): Promise<unknown>;
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
  /** The connection that sends commands (the other one, a worker's, spends its time blocked waiting for jobs). */
  private main: BullRedisClient | null = null;

  constructor(owner: QueueBase) {
    const backend = owner.getBackend() as unknown as RedisBackend;
    const connections = [backend.connection, backend.blockingConnection].filter((connection) => connection !== undefined);
    this.expected = connections.length;
    // A connection is listed once it has connected; one that never did is closed by BullMQ without
    // waiting on Redis.
    for (const connection of connections) {
      connection.client.then(
        (client) => {
          this.clients.push(client as BullRedisClient);
          if (connection === backend.connection) this.main = client as BullRedisClient;
        },
        () => undefined,
      );
    }
  }

  /** Whether every connection has connected and is up now (as ioredis sees it: a Redis that stopped answering still looks up). */
  get isReachable(): boolean {
    return this.clients.length === this.expected && this.clients.every((client) => client.status === 'ready');
  }

  /**
   * Whether Redis answers now: every connection is up and a PING on the command connection comes back
   * within `timeoutMs`. A Redis behind a network that drops packets, or a stopped process, keeps its
   * connections up in ioredis's eyes while nothing comes back.
   */
  async answersWithin(timeoutMs: number): Promise<boolean> {
    const main = this.main;
    if (!this.isReachable || !main) return false;
    const answered = main.ping().then(
      () => true,
      () => false,
    );
    return withDeadline(answered, timeoutMs, () => false);
  }

  /** Ends every connection, up or not: for a Redis that does not answer (see `answersWithin`). */
  endAll(): void {
    for (const client of this.clients) end(client);
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
  if (client.status !== 'ready') end(client);
}

function end(client: BullRedisClient): void {
  if (client.status === 'end') return;
  const isWaitingToReconnect = client.status === 'reconnecting';
  client.disconnect();
  // ioredis ends a client that is waiting to reconnect without failing its queued commands
  // (https://github.com/redis/ioredis/pull/2169): one more attempt, now marked as a manual close,
  // ends it when that attempt fails (at once when refused, after ioredis's `connectTimeout` when
  // nothing answers) and fails them. Should Redis answer instead, the queued commands simply run.
  if (isWaitingToReconnect) client.connect().catch(() => undefined);
}
