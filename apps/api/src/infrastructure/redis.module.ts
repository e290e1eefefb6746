import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RedisOutageLog, resolveRedisConnection } from '@signoff/auth-sessions';
import { Redis } from 'ioredis';
import { failFastRedisOptions } from './redis-options.js';

/**
 * The app's fail-fast Redis connection (rate limits, health), on REDIS_URL: one server or a
 * Sentinel-managed primary. BullMQ keeps its own connections. An outage is logged twice (gone, back
 * with the number of failed attempts), never once per reconnect attempt.
 */
@Injectable()
export class AppRedis implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(ConfigService) config: ConfigService) {
    const url = config.getOrThrow<string>('redisUrl');
    this.client = new Redis(failFastRedisOptions(url));
    new RedisOutageLog(new Logger('Redis'), resolveRedisConnection({ url }).description, 'Health answers 503 meanwhile').watch('app', this.client);
    this.prefix = config.getOrThrow<string>('redisPrefix');
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}

@Global()
@Module({ providers: [AppRedis], exports: [AppRedis] })
export class RedisModule {}
