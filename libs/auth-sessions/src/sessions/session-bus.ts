import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AuthRedis } from '../common/auth-redis.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

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

// On the shared channel: every change, once for all instances. On each instance's own channel:
// its heartbeats, and the notice that every instance has acknowledged one of its changes.
type BusMessage = { t: 'change'; id: string; from: string; change: SessionChange } | { t: 'hb'; s: number } | { t: 'done'; id: string };

const PENDING_TTL_MS = 10_000;

/**
 * The bus protocol this version speaks: 2 since "one counter per change" (each instance removes itself
 * from a pending set; protocol 1 replied once per instance). Written with the instance's description,
 * so that an instance that makes revocations wait can be named.
 */
export const BUS_PROTOCOL = 2;
/** How often an instance renews its description, and how long one outlives its last renewal. */
const ABOUT_EVERY_MS = 10_000;
const ABOUT_TTL_MS = 60_000;
/** At most one warning about unacknowledged revocations per this many ms. */
const LEASE_WARNING_EVERY_MS = 60_000;

/** What an instance says about itself on the bus: enough for an operator to find it. */
export interface BusInstance {
  protocol: number;
  host: string;
  pid: number;
  startedAt: string;
}

/** A revocation that waited out the lease: the instances that had not acknowledged it by then. */
export type LeaseWaitListener = (unacknowledged: number) => void;

type Script = (...keysThenArguments: Array<string | number>) => Promise<unknown>;

// KEYS: registry, own channel. ARGV: instance id, heartbeat message.
const HEARTBEAT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
redis.call('PUBLISH', KEYS[2], ARGV[2])
return now`;

// Atomically: who must acknowledge (every other live instance), then the change itself, so no
// instance can register between the two. KEYS: registry, pending set, shared channel.
// ARGV: instance id, registry window (ms), pending TTL (ms), change message. Returns how many must acknowledge.
const ANNOUNCE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')
local pending = 0
for _, instance in ipairs(live) do
  if instance ~= ARGV[1] then
    redis.call('SADD', KEYS[2], instance)
    pending = pending + 1
  end
end
if pending > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
redis.call('PUBLISH', KEYS[3], ARGV[4])
return pending`;

// One acknowledgement: O(1) whatever the number of instances; the last one tells the announcing
// instance, on its own channel. KEYS: pending set, announcer's channel. ARGV: instance id, done message.
const ACK_SCRIPT = `
if redis.call('SREM', KEYS[1], ARGV[1]) == 1 and redis.call('SCARD', KEYS[1]) == 0 then
  redis.call('PUBLISH', KEYS[2], ARGV[2])
end
return 0`;

/**
 * Cross-instance session signals over Redis pub/sub, and the lease that decides whether this
 * instance may trust its session cache.
 *
 * Why the cache never opens a revocation window:
 * - An instance trusts its cache only until CACHE_TRUST_MS after it last received its own
 *   heartbeat through pub/sub. Redis writes every message for one connection in the order it
 *   published them, whatever the channel, so a received heartbeat proves every earlier message
 *   (every earlier revocation) was received too.
 * - A revoking instance publishes the change after its commit, then waits until every live
 *   instance has acknowledged it, or, failing that, until CACHE_TRUST_MS has passed: by then every
 *   instance that missed the message has stopped trusting its cache, and every entry filled before
 *   the commit has expired.
 * - Any sign of trouble (subscriber closed, a PostgreSQL error or failed probe) drops every entry
 *   at once, and PostgreSQL must have answered a probe within CACHE_TRUST_MS for any entry to count.
 *
 * Why the cost stays flat as instances are added (docs/performance.md): a change is published
 * once on the shared channel; each instance acknowledges by removing itself from the change's
 * pending set in Redis (O(1)), and only the last one tells the revoking instance, on that
 * instance's own channel. Heartbeats go to each instance's own channel too. So per revocation an
 * instance handles one message whatever the number of instances, and the revoking instance waits
 * for one notice rather than one reply per instance.
 */
@Injectable()
export class SessionBus implements OnModuleInit, OnApplicationShutdown {
  readonly instanceId = randomUUID();
  private readonly logger = new Logger('AuthSessions');
  private readonly channel: string;
  private readonly ownChannel: string;
  private readonly registry: string;
  private readonly listeners: Array<(change: SessionChange) => void> = [];
  private readonly pendingAcks = new Map<string, () => void>();
  private trustedUntil = 0;
  private postgresHealthyUntil = 0;
  private generationCounter = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private aboutRenewedAt = Number.NEGATIVE_INFINITY;
  private leaseWarnedAt = Number.NEGATIVE_INFINITY;
  private readonly leaseWaitListeners: LeaseWaitListener[] = [];
  private readonly about: string = JSON.stringify({
    protocol: BUS_PROTOCOL,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
  } satisfies BusInstance);
  private readonly scripts: { heartbeat: Script; announce: Script; ack: Script };

  constructor(
    private readonly redis: AuthRedis,
    @InjectAuthDataSource() private readonly dataSource: DataSource,
  ) {
    this.channel = redis.key('sessions');
    this.ownChannel = this.instanceChannel(this.instanceId);
    this.registry = redis.key('instances');
    this.scripts = {
      heartbeat: defineScript(redis.commands, 'signoffBusHeartbeat', 2, HEARTBEAT_SCRIPT),
      announce: defineScript(redis.commands, 'signoffBusAnnounce', 3, ANNOUNCE_SCRIPT),
      ack: defineScript(redis.commands, 'signoffBusAck', 2, ACK_SCRIPT),
    };
  }

  async onModuleInit(): Promise<void> {
    const { subscriber } = this.redis;
    subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
    for (const event of ['close', 'end', 'reconnecting'] as const) subscriber.on(event, () => this.distrust());
    // node-postgres reports a connection the server dropped (shutdown, restart) on the pool.
    const pool = (this.dataSource.driver as { master?: { on?: (event: string, listener: () => void) => void } }).master;
    pool?.on?.('error', () => this.distrust());
    // One SUBSCRIBE for both: a heartbeat can never arrive while changes are not yet being received.
    const subscribe = (): void => {
      subscriber.subscribe(this.channel, this.ownChannel).catch((error: Error) => this.logger.warn(`Could not subscribe yet: ${error.message}`));
    };
    // Once the connection is ready (ioredis then resubscribes by itself after a reconnect). Asked while
    // the connection is still opening, ioredis sends SUBSCRIBE at once (Redis allows it while loading),
    // then its ready check's INFO fails on a connection in subscriber mode: ioredis drops and reopens
    // the connection, and the outage log reports Redis as unreachable when it is not.
    if (subscriber.status === 'ready') subscribe();
    else subscriber.once('ready', subscribe);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    void this.heartbeat();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await Promise.all([
      this.redis.commands.zrem(this.registry, this.instanceId).catch(() => undefined),
      this.redis.commands.del(this.aboutKey(this.instanceId)).catch(() => undefined),
    ]);
  }

  /** Calls `listener` each time a revocation announced here waited out the lease (metrics). */
  onLeaseWait(listener: LeaseWaitListener): void {
    this.leaseWaitListeners.push(listener);
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
    return generation === this.generationCounter && now < this.trustedUntil && now < this.postgresHealthyUntil && now < filledAt + CACHE_TRUST_MS;
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
    const allAcked = new Promise<void>((resolve) => this.pendingAcks.set(id, resolve));
    try {
      const message = JSON.stringify({ t: 'change', id, from: this.instanceId, change } satisfies BusMessage);
      const pending = (await this.scripts.announce(
        this.registry,
        this.pendingKey(id),
        this.channel,
        this.instanceId,
        REGISTRY_WINDOW_MS,
        PENDING_TTL_MS,
        message,
      )) as number;
      if (pending > 0 && !(await settlesBefore(allAcked, deadline))) {
        void this.reportLeaseWait(id);
      }
    } catch {
      await sleepUntil(deadline);
    } finally {
      this.pendingAcks.delete(id);
    }
  }

  /**
   * A revocation waited out the lease: counts it, and says (once a minute at most) which instances had
   * not acknowledged it, as they describe themselves. Never throws.
   */
  private async reportLeaseWait(changeId: string): Promise<void> {
    try {
      const silent = await this.redis.commands.smembers(this.pendingKey(changeId));
      if (silent.length === 0) return; // the last acknowledgement crossed the deadline
      for (const listener of this.leaseWaitListeners) listener(silent.length);
      const now = performance.now();
      if (now - this.leaseWarnedAt < LEASE_WARNING_EVERY_MS) return;
      this.leaseWarnedAt = now;
      const abouts = await this.redis.commands.mget(...silent.map((instanceId) => this.aboutKey(instanceId)));
      const named = silent.map((instanceId, index) => describeInstance(instanceId, abouts[index] ?? null));
      this.logger.warn({
        event: 'revocation_lease_wait',
        unacknowledged: named,
        msg:
          `A revocation waited out the ${CACHE_TRUST_MS / 1000} s lease: ${silent.length} instance(s) did not acknowledge it: ${named.join('; ')}. ` +
          'No session stays usable (no instance trusts its cache past the lease), but every logout takes the full lease until they do: ' +
          'replace instances of an older Signoff version, or look for one that is stalled (a blocked event loop, or cut off from Redis). ' +
          'Said once a minute at most; signoff_revocation_lease_waits_total counts each.',
      });
    } catch {
      // Redis failed meanwhile: its outage is logged on its own.
    }
  }

  private async heartbeat(): Promise<void> {
    const sentAt = performance.now();
    if (sentAt - this.aboutRenewedAt >= ABOUT_EVERY_MS) {
      this.aboutRenewedAt = sentAt;
      this.redis.commands.set(this.aboutKey(this.instanceId), this.about, 'PX', ABOUT_TTL_MS).catch(() => {
        this.aboutRenewedAt = Number.NEGATIVE_INFINITY;
      });
    }
    try {
      await this.scripts.heartbeat(this.registry, this.ownChannel, this.instanceId, JSON.stringify({ t: 'hb', s: sentAt } satisfies BusMessage));
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

  private receive(channel: string, text: string): void {
    if (channel !== this.channel && channel !== this.ownChannel) return;
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return;
    }
    const isOwn = channel === this.ownChannel;
    // Only this instance's own heartbeats extend its lease (their time is this process's clock).
    if (message.t === 'hb' && isOwn) {
      this.trustedUntil = Math.max(this.trustedUntil, message.s + CACHE_TRUST_MS);
    } else if (message.t === 'change' && !isOwn) {
      if (message.from === this.instanceId) return;
      this.notify(message.change);
      // Acknowledged only after every listener (the cache) has dropped what the change ended.
      this.scripts
        .ack(
          this.pendingKey(message.id),
          this.instanceChannel(message.from),
          this.instanceId,
          JSON.stringify({ t: 'done', id: message.id } satisfies BusMessage),
        )
        .catch(() => undefined);
    } else if (message.t === 'done' && isOwn) {
      this.pendingAcks.get(message.id)?.();
    }
  }

  private instanceChannel(instanceId: string): string {
    return this.redis.key(`sessions:instance:${instanceId}`);
  }

  private aboutKey(instanceId: string): string {
    return this.redis.key(`instances:about:${instanceId}`);
  }

  private pendingKey(changeId: string): string {
    return this.redis.key(`sessions:pending:${changeId}`);
  }

  private notify(sent: SessionChange): void {
    // Ids are UUIDs, which PostgreSQL compares in any case and returns in lower case: listeners match
    // them as strings against rows and signed-in users, so a change named in upper case (a host's call,
    // an admin's URL, an older instance) is delivered in lower case.
    const change: SessionChange = { ...sent, userId: sent.userId.toLowerCase(), sessionIds: sent.sessionIds.map((id) => id.toLowerCase()) };
    if (sent.exceptSessionId) change.exceptSessionId = sent.exceptSessionId.toLowerCase();
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`Session change listener failed: ${(error as Error).message}`);
      }
    }
  }
}

/** An instance as a log line names it: its description, or what its silence about itself says. */
export function describeInstance(instanceId: string, about: string | null): string {
  if (about !== null) {
    try {
      const instance = JSON.parse(about) as Partial<BusInstance>;
      return `${String(instance.host)} pid ${String(instance.pid)} (bus protocol ${String(instance.protocol)}, started ${String(instance.startedAt)}, instance ${instanceId})`;
    } catch {
      // Not ours to read: described as unknown below.
    }
  }
  return `instance ${instanceId}, which does not describe itself (a Signoff build before 2026-12-05, whose bus protocol may be older)`;
}

// EVALSHA (ioredis falls back to EVAL once after a script flush): an acknowledgement per instance per
// logout should not resend and rehash the script text each time.
function defineScript(client: Redis, name: string, numberOfKeys: number, lua: string): Script {
  client.defineCommand(name, { numberOfKeys, lua });
  const command = (client as unknown as Record<string, Script>)[name];
  return (...keysThenArguments) => command.apply(client, keysThenArguments);
}

/**
 * Whether `promise` settles before `deadline` (a `performance.now()` time). The timer goes when it
 * does: left running, each acknowledged revocation kept the process alive for the rest of its lease
 * (up to 2 s after an app's close, and a test runner's "did not exit").
 */
export async function settlesBefore(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<false>((done) => {
    const wait = deadline - performance.now();
    if (wait > 0) timer = setTimeout(() => done(false), wait);
    else done(false);
  });
  try {
    return await Promise.race([promise.then(() => true as const), over]);
  } finally {
    clearTimeout(timer);
  }
}

function sleepUntil(deadline: number): Promise<void> {
  const wait = deadline - performance.now();
  return wait > 0 ? new Promise((done) => setTimeout(done, wait)) : Promise.resolve();
}
