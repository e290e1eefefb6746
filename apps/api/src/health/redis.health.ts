import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppRedis } from '../infrastructure/redis.module.js';

/** Redis answers PING (fails fast: the client never queues commands while disconnected). */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: AppRedis,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: 'redis') {
    const indicator = this.health.check(key);
    try {
      await this.redis.client.ping();
      return indicator.up();
    } catch {
      return indicator.down({ message: 'Redis is not answering' });
    }
  }
}
