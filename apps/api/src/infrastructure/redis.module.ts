import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { failFastRedisOptions } from './redis-options.js';

/** The app's fail-fast Redis connection (rate limits, health). BullMQ keeps its own connections. */
@Injectable()
export class AppRedis implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(ConfigService) config: ConfigService) {
    this.client = new Redis(failFastRedisOptions(config.getOrThrow<string>('redisUrl')));
    // Errors surface on each command; without a listener ioredis would also print every reconnect.
    this.client.on('error', () => undefined);
    this.prefix = config.getOrThrow<string>('redisPrefix');
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}

@Global()
@Module({ providers: [AppRedis], exports: [AppRedis] })
export class RedisModule {}
