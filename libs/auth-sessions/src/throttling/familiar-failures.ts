import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';
import { RATE_LIMIT_NAME } from './rate-limit-counter.js';
import type { RedisRateLimitStorage } from './redis-rate-limit.storage.js';

/**
 * Wrong passwords counted per account from its familiar places (`rateLimit.account.familiarLimit`).
 * Unlike the other limits only failures count, so the check before a password (`blockedFor`) must
 * read a block without counting: the library's own Redis, which can, rather than a host's
 * `rateLimit.storage` (a `ThrottlerStorage` can only count). While Redis fails, each instance
 * counts in memory, and a block it set there holds on that instance until it ends.
 */
export class FamiliarFailures {
  private readonly fallback = new MemoryRateLimitStorage();

  constructor(private readonly shared: RedisRateLimitStorage) {}

  /** Seconds until `key` may try again after `limit` wrong passwords, 0 when it may now. */
  async blockedFor(key: string, limit: number): Promise<number> {
    const local = this.fallback.blockedFor(key, RATE_LIMIT_NAME);
    try {
      return Math.max(local, await this.shared.blockedFor(key, limit - 1, RATE_LIMIT_NAME));
    } catch {
      return local;
    }
  }

  /** Counts one wrong password on `key`; the `limit`-th within `windowMs` blocks it for `windowMs`. */
  async record(key: string, windowMs: number, limit: number): Promise<void> {
    // The storages block past `limit` hits; the limit here is on failures already made.
    try {
      await this.shared.increment(key, windowMs, limit - 1, windowMs, RATE_LIMIT_NAME);
    } catch {
      await this.fallback.increment(key, windowMs, limit - 1, windowMs, RATE_LIMIT_NAME);
    }
  }
}
