import type { Redis } from 'ioredis';
import type { AuthRedis } from '../common/auth-redis.js';
import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage.js';

/**
 * Counters in Redis, shared by every instance: one fixed window per key (`INCR` + `PEXPIRE NX` in a
 * transaction) and a block key once the limit is passed. Fails (throws) when Redis does; the guard
 * then falls back to per-instance counters.
 */
export class RedisRateLimitStorage implements RateLimitStorage {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<RateLimitRecord> {
    const counterKey = `${this.keyPrefix}:${throttlerName}:${key}`;
    const blockKey = `${counterKey}:blocked`;
    const results = await this.redis.multi().incr(counterKey).pexpire(counterKey, ttl, 'NX').pttl(counterKey).pttl(blockKey).exec();
    if (!results || results.some(([error]) => error)) throw new Error('rate-limit transaction failed');
    const totalHits = Number(results[0][1]);
    const timeToExpire = Math.ceil(Math.max(0, Number(results[2][1])) / 1000);
    let timeToBlockExpire = Math.ceil(Math.max(0, Number(results[3][1])) / 1000);
    if (timeToBlockExpire === 0 && totalHits > limit) {
      await this.redis.set(blockKey, '1', 'PX', blockDuration);
      timeToBlockExpire = Math.ceil(blockDuration / 1000);
    }
    return { totalHits, timeToExpire, isBlocked: timeToBlockExpire > 0, timeToBlockExpire };
  }

  /**
   * Seconds left of the block on `key`, 0 when it is not blocked (counts nothing). Over `limit` hits
   * with no block yet (the reply that would have set it was lost, as when Redis stalls and the
   * client gives up on a command Redis runs later), blocked until the window's counter expires.
   * Throws when Redis does.
   */
  async blockedFor(key: string, limit: number, throttlerName: string): Promise<number> {
    const counterKey = `${this.keyPrefix}:${throttlerName}:${key}`;
    const results = await this.redis.multi().pttl(`${counterKey}:blocked`).get(counterKey).pttl(counterKey).exec();
    if (!results || results.some(([error]) => error)) throw new Error('rate-limit transaction failed');
    const blocked = Number(results[0][1]);
    if (blocked > 0) return Math.ceil(blocked / 1000);
    return Number(results[1][1] ?? 0) > limit ? Math.ceil(Math.max(0, Number(results[2][1])) / 1000) : 0;
  }
}

/** The counters in the library's own Redis, under `<prefix>:auth:rate-limit`: one place for every limit that keeps them there. */
export function libraryRateLimitStorage(redis: AuthRedis): RedisRateLimitStorage {
  return new RedisRateLimitStorage(redis.commands, redis.key('rate-limit'));
}
