import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';

/**
 * The library's two Redis connections: one for commands, which fails fast instead of queueing while
 * Redis is down (a request must never hang on it), and one in subscriber mode.
 */
@Injectable()
export class AuthRedis implements OnApplicationShutdown {
  private readonly logger = new Logger('AuthSessions');
  readonly commands: Redis;
  readonly subscriber: Redis;
  readonly prefix: string;

  constructor(@Inject(AUTH_SESSIONS_OPTIONS) options: ResolvedAuthSessionsOptions) {
    const base: RedisOptions = { connectTimeout: 2000, retryStrategy: (attempt) => Math.min(200 * attempt, 2000) };
    this.commands = new Redis(options.redis.url, {
      ...base,
      enableOfflineQueue: false,
      commandTimeout: 1000,
      maxRetriesPerRequest: 1,
    });
    this.subscriber = new Redis(options.redis.url, { ...base, autoResubscribe: true, maxRetriesPerRequest: null });
    this.prefix = options.redis.prefix;
    let isDown = false;
    // ioredis emits an error on every failed reconnect; log the transition, not each attempt.
    const onError = (error: Error) => {
      if (!isDown) this.logger.warn(`Redis unavailable: ${error.message}`);
      isDown = true;
    };
    this.commands.on('error', onError);
    this.subscriber.on('error', onError);
    this.commands.on('ready', () => {
      if (isDown) this.logger.log('Redis is back');
      isDown = false;
    });
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
