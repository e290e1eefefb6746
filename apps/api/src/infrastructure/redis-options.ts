import { redisOptionsFromUrl as libraryRedisOptions } from '@signoff/auth-sessions';
import type { ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from REDIS_URL (BullMQ takes options, not URLs): `redis://`, `rediss://`, or
 * `redis+sentinel://host:port[,host:port…]/<master name>[/<db>]` for a primary found through
 * Sentinel (docs/redis.md). The library parses it, so every connection agrees on where Redis is.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  return libraryRedisOptions(url);
}

/** BullMQ's `connection` for REDIS_URL (BullMQ types `retryStrategy` without ioredis's `null`; none is set here). */
export function bullConnectionOptions(url: string): ConnectionOptions {
  return { ...redisOptionsFromUrl(url) } as ConnectionOptions;
}

/**
 * Options for the app's own Redis commands (rate limits, health): fail fast instead of queueing
 * while Redis is down, so a request never hangs on it.
 */
export function failFastRedisOptions(url: string): RedisOptions {
  return {
    ...redisOptionsFromUrl(url),
    enableOfflineQueue: false,
    commandTimeout: 500,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
}
