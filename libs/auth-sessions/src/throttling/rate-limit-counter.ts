import type { Logger } from '@nestjs/common';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';
import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage.js';

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
      return record;
    } catch (error) {
      if (!this.isDegraded) {
        this.logger.warn(`Rate-limit storage unavailable (${(error as Error).message}): counting per instance until it is back`);
      }
      this.isDegraded = true;
      return this.fallback.increment(key, windowMs, limit, windowMs, RATE_LIMIT_NAME);
    }
  }
}
