import { Logger } from '@nestjs/common';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AuthRedis } from '../common/auth-redis.js';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';
import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage.js';
import { libraryRateLimitStorage } from './redis-rate-limit.storage.js';

/** The name of the library's one limit, passed to the storage. */
export const RATE_LIMIT_NAME = 'auth';

/**
 * Counts hits in the shared storage (every instance's counters in one place) and, while it fails,
 * in this process: a limit then holds per instance, never lapses, and never answers 500.
 */
export class RateLimitCounter {
  private readonly fallback = new MemoryRateLimitStorage();
  private isDegraded = false;

  constructor(
    private readonly shared: RateLimitStorage,
    private readonly logger: Logger,
  ) {}

  /** Counts one hit on `key`; over `limit` hits within `windowMs`, the key stays blocked for `windowMs`. */
  async hit(key: string, windowMs: number, limit: number): Promise<RateLimitRecord> {
    try {
      const record = await this.shared.increment(key, windowMs, limit, windowMs, RATE_LIMIT_NAME);
      if (this.isDegraded) this.logger.log('Rate limits are shared again');
      this.isDegraded = false;
      // A block this instance set while the storage was down outlives the outage: the shared count
      // never saw those attempts, and would otherwise let the same client start again.
      const carried = record.isBlocked ? 0 : this.fallback.blockedFor(key, RATE_LIMIT_NAME);
      return carried > 0 ? { ...record, isBlocked: true, timeToBlockExpire: carried } : record;
    } catch (error) {
      if (!this.isDegraded) {
        this.logger.warn(`Rate-limit storage unavailable (${(error as Error).message}): counting per instance until it is back`);
      }
      this.isDegraded = true;
      return this.fallback.increment(key, windowMs, limit, windowMs, RATE_LIMIT_NAME);
    }
  }
}

// One counter per storage: the library's Redis (per AuthRedis, so per app) or the host's `rateLimit.storage`.
const counters = new WeakMap<object, RateLimitCounter>();

/**
 * The counter of the app's rate-limit storage, shared by the per-IP guard and the per-account limit:
 * one fallback while the storage fails, and one log line per outage rather than one per user of it.
 * (Not a provider: with `globalGuard: false` a host module builds the guard, and would need it exported.)
 */
export function rateLimitCounterOf(limits: NonNullable<ResolvedAuthSessionsOptions['rateLimit']>, redis: AuthRedis): RateLimitCounter {
  const owner: object = limits.storage ?? redis;
  let counter = counters.get(owner);
  if (!counter) {
    counter = new RateLimitCounter(limits.storage ?? libraryRateLimitStorage(redis), new Logger('AuthSessions'));
    counters.set(owner, counter);
  }
  return counter;
}
