import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { QueueErrors } from './queue-errors.js';
import { RedisOutageLog } from './redis-outage-log.js';

const WHILE_DOWN = 'Until it is back: sessions are checked in PostgreSQL, revocations wait out the 2 s cache lease, jobs wait in the outbox';

/**
 * The library's two Redis connections: one for commands, which fails fast instead of queueing while
 * Redis is down (a request must never hang on it), and one in subscriber mode. Both follow the
 * primary through Sentinel when `redis` names Sentinels. Their outages, and the connection errors
 * of the library's BullMQ queue and worker, are logged once when Redis goes and once when it is back.
 */
@Injectable()
export class AuthRedis implements OnApplicationShutdown {
  readonly commands: Redis;
  readonly subscriber: Redis;
  readonly prefix: string;
  readonly outage: RedisOutageLog;

  constructor(@Inject(AUTH_SESSIONS_OPTIONS) options: ResolvedAuthSessionsOptions, queueErrors: QueueErrors) {
    const base: RedisOptions = { ...options.redis.options, connectTimeout: 2000, retryStrategy: (attempt) => Math.min(200 * attempt, 2000) };
    this.commands = new Redis({ ...base, enableOfflineQueue: false, commandTimeout: 1000, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis({ ...base, autoResubscribe: true, maxRetriesPerRequest: null });
    this.prefix = options.redis.prefix;
    this.outage = new RedisOutageLog(new Logger('AuthSessions'), options.redis.description, WHILE_DOWN);
    this.outage.watch('commands', this.commands);
    this.outage.watch('subscriber', this.subscriber);
    // The queue's connection errors, from its creation on (see QueueErrors).
    queueErrors.listen((error) => this.outage.echo('BullMQ queue', error));
  }

  /** A key or channel name under the library's prefix. */
  key(name: string): string {
    return `${this.prefix}:auth:${name}`;
  }

  onApplicationShutdown(): void {
    this.commands.disconnect();
    this.subscriber.disconnect();
  }
}
