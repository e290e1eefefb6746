import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthRedis } from '../common/auth-redis.js';
import type { SessionEndReason } from './session-end-reason.js';

/** How long an instance may trust what it cached without hearing its own heartbeat, and how long any entry lives. */
export const CACHE_TRUST_MS = 2000;
const HEARTBEAT_MS = 400;
const REGISTRY_WINDOW_MS = CACHE_TRUST_MS + 1000;

/** Sessions that changed: ended (with a reason) or only rotated (`reason: null`, caches drop them, streams stay open). */
export interface SessionChange {
  userId: string;
  sessionIds: string[];
  reason: SessionEndReason | null;
  /** Every session of the user (an epoch bump), except `exceptSessionId`. */
  allOfUser: boolean;
  exceptSessionId: string | null;
}

type BusMessage =
  | { t: 'hb'; i: string; s: number }
  | { t: 'change'; id: string; from: string; change: SessionChange }
  | { t: 'ack'; id: string; from: string };

const HEARTBEAT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
redis.call('PUBLISH', KEYS[2], ARGV[2])
return now`;

const LIVE_INSTANCES_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[1]), '+inf')`;

/**
 * Cross-instance session signals over Redis pub/sub, and the lease that decides whether this
 * instance may trust its session cache.
 *
 * Why the cache never opens a revocation window:
 * - An instance trusts its cache only until CACHE_TRUST_MS after it last received its own
 *   heartbeat through pub/sub. Redis delivers messages in order, so a received heartbeat proves
 *   every earlier message (every earlier revocation) was received too.
 * - A revoking instance publishes the change after its commit, then waits until every live
 *   instance has acknowledged it, or, failing that, until CACHE_TRUST_MS has passed: by then every
 *   instance that missed the message has stopped trusting its cache, and every entry filled before
 *   the commit has expired.
 * - Any sign of trouble (subscriber closed, a PostgreSQL error or failed probe) drops every entry
 *   at once, and PostgreSQL must have answered a probe within CACHE_TRUST_MS for any entry to count.
 */
@Injectable()
export class SessionBus implements OnModuleInit, OnApplicationShutdown {
  readonly instanceId = randomUUID();
  private readonly logger = new Logger('AuthSessions');
  private readonly channel: string;
  private readonly registry: string;
  private readonly listeners: Array<(change: SessionChange) => void> = [];
  private readonly pendingAcks = new Map<string, { acked: Set<string>; wake: () => void }>();
  private trustedUntil = 0;
  private postgresHealthyUntil = 0;
  private generationCounter = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: AuthRedis,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.channel = redis.key('sessions');
    this.registry = redis.key('instances');
  }

  async onModuleInit(): Promise<void> {
    const { subscriber } = this.redis;
    subscriber.on('message', (channel: string, text: string) => channel === this.channel && this.receive(text));
    for (const event of ['close', 'end', 'reconnecting'] as const) subscriber.on(event, () => this.distrust());
    // node-postgres reports a connection the server dropped (shutdown, restart) on the pool.
    const pool = (this.dataSource.driver as { master?: { on?: (event: string, listener: () => void) => void } }).master;
    pool?.on?.('error', () => this.distrust());
    subscriber.subscribe(this.channel).catch((error: Error) => this.logger.warn(`Could not subscribe yet: ${error.message}`));
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    void this.heartbeat();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await this.redis.commands.zrem(this.registry, this.instanceId).catch(() => undefined);
  }

  /** Registers a listener for changes announced by any instance (this one included). */
  onChange(listener: (change: SessionChange) => void): void {
    this.listeners.push(listener);
  }

  /** The generation to stamp on a cache entry filled now, or null when nothing may be cached now. */
  fillGeneration(): number | null {
    const now = performance.now();
    return now < this.trustedUntil && now < this.postgresHealthyUntil ? this.generationCounter : null;
  }

  /** Whether an entry stamped with `generation` and filled at `filledAt` (performance.now()) may be used. */
  isTrusted(generation: number, filledAt: number): boolean {
    const now = performance.now();
    return (
      generation === this.generationCounter &&
      now < this.trustedUntil &&
      now < this.postgresHealthyUntil &&
      now < filledAt + CACHE_TRUST_MS
    );
  }

  /** Stops trusting everything cached so far (a dependency had trouble). */
  distrust(): void {
    this.generationCounter++;
    this.trustedUntil = 0;
    this.postgresHealthyUntil = 0;
  }

  /**
   * Announces a committed change to every instance and returns once none of them can still
   * accept what the change ended (see the class comment). Never throws.
   * @param committedAt performance.now() taken right after the commit
   */
  async announce(change: SessionChange, committedAt = performance.now()): Promise<void> {
    this.notify(change);
    const deadline = committedAt + CACHE_TRUST_MS;
    const id = randomUUID();
    const acked = new Set<string>();
    let wake = () => undefined as void;
    const allAcked = new Promise<void>((resolve) => (wake = resolve));
    this.pendingAcks.set(id, { acked, wake: () => wake() });
    try {
      await this.redis.commands.publish(this.channel, JSON.stringify({ t: 'change', id, from: this.instanceId, change } satisfies BusMessage));
      const live = ((await this.redis.commands.eval(LIVE_INSTANCES_SCRIPT, 1, this.registry, REGISTRY_WINDOW_MS)) as string[]).filter(
        (instance) => instance !== this.instanceId,
      );
      const isComplete = () => live.every((instance) => acked.has(instance));
      this.pendingAcks.set(id, { acked, wake: () => isComplete() && wake() });
      if (!isComplete()) await Promise.race([allAcked, sleepUntil(deadline)]);
    } catch {
      await sleepUntil(deadline);
    } finally {
      this.pendingAcks.delete(id);
    }
  }

  private async heartbeat(): Promise<void> {
    const sentAt = performance.now();
    try {
      await this.redis.commands.eval(HEARTBEAT_SCRIPT, 2, this.registry, this.channel, this.instanceId, JSON.stringify({ t: 'hb', i: this.instanceId, s: sentAt } satisfies BusMessage));
    } catch {
      // The lease simply runs out: the cache stops being trusted within CACHE_TRUST_MS.
    }
    try {
      await this.dataSource.query('SELECT 1');
      this.postgresHealthyUntil = sentAt + CACHE_TRUST_MS;
    } catch {
      this.distrust();
    }
  }

  private receive(text: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return;
    }
    if (message.t === 'hb') {
      if (message.i === this.instanceId) this.trustedUntil = Math.max(this.trustedUntil, message.s + CACHE_TRUST_MS);
    } else if (message.t === 'change') {
      if (message.from !== this.instanceId) this.notify(message.change);
      this.redis.commands
        .publish(this.channel, JSON.stringify({ t: 'ack', id: message.id, from: this.instanceId } satisfies BusMessage))
        .catch(() => undefined);
    } else if (message.t === 'ack') {
      const pending = this.pendingAcks.get(message.id);
      if (pending) {
        pending.acked.add(message.from);
        pending.wake();
      }
    }
  }

  private notify(change: SessionChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`Session change listener failed: ${(error as Error).message}`);
      }
    }
  }
}

function sleepUntil(deadline: number): Promise<void> {
  const wait = deadline - performance.now();
  return wait > 0 ? new Promise((done) => setTimeout(done, wait)) : Promise.resolve();
}
