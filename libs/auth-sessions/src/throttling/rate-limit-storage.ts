/** The state of one rate-limit counter after a hit. Times are in whole seconds. */
export interface RateLimitRecord {
  /** Hits in the current window, this one included. */
  totalHits: number;
  /** Seconds until the window's counter resets. */
  timeToExpire: number;
  /** Whether the caller is over the limit and must wait. */
  isBlocked: boolean;
  /** Seconds until the block ends (0 when not blocked): the `Retry-After` of the 429. */
  timeToBlockExpire: number;
}

/**
 * Where rate-limit counters live. The shape is `@nestjs/throttler`'s `ThrottlerStorage`, so any of its
 * storages (in memory, Redis, …) can be passed as `rateLimit.storage` as it is.
 */
export interface RateLimitStorage {
  /**
   * Counts one hit for `key` and returns the counter's state.
   * @param key the counter (route and client IP)
   * @param ttl the window, in milliseconds
   * @param limit hits allowed per window
   * @param blockDuration how long a caller over the limit stays blocked, in milliseconds
   * @param throttlerName the name of the limit (`auth`)
   */
  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<RateLimitRecord>;
}
