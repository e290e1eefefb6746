import { Logger } from '@nestjs/common';
import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Rate-limit counters shared by every instance through Redis, falling back to a per-instance
 * in-memory counter while Redis is down: never a 500, never unlimited.
 * Chosen over @nest-lab/throttler-storage-redis, whose 1.2.0 declares Nest <= 11 peers.
 */
export class ResilientThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly fallback = new ThrottlerStorageService();
  private isDegraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      const record = await this.incrementInRedis(`${this.prefix}:throttle:${throttlerName}:${key}`, ttl, limit, blockDuration);
      if (this.isDegraded) this.logger.log('Redis is back: rate limits are shared again');
      this.isDegraded = false;
      return record;
    } catch {
      if (!this.isDegraded) this.logger.warn('Redis is down: rate limits fall back to per-instance counters');
      this.isDegraded = true;
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  private async incrementInRedis(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const blockKey = `${key}:blocked`;
    const results = await this.redis.multi().incr(key).pexpire(key, ttl, 'NX').pttl(key).pttl(blockKey).exec();
    if (!results || results.some(([error]) => error)) throw new Error('rate-limit transaction failed');
    const totalHits = Number(results[0]![1]);
    const timeToExpire = Math.ceil(Math.max(0, Number(results[2]![1])) / 1000);
    let timeToBlockExpire = Math.ceil(Math.max(0, Number(results[3]![1])) / 1000);
    if (timeToBlockExpire === 0 && totalHits > limit) {
      await this.redis.set(blockKey, '1', 'PX', blockDuration);
      timeToBlockExpire = Math.ceil(blockDuration / 1000);
    }
    return { totalHits, timeToExpire, isBlocked: timeToBlockExpire > 0, timeToBlockExpire };
  }
}
