import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage.js';

interface Counter {
  hits: number;
  expiresAt: number;
  blockedUntil: number;
}

/** Counters kept before the oldest are dropped, so a flood of addresses cannot grow memory without bound. */
const MAX_COUNTERS = 100_000;

/**
 * Fixed-window counters in this process only: what each instance falls back to while the shared
 * storage is unreachable, so limits still hold (per instance) and nothing answers 500.
 */
export class MemoryRateLimitStorage implements RateLimitStorage {
  private readonly counters = new Map<string, Counter>();

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<RateLimitRecord> {
    const now = this.now();
    const id = `${throttlerName}:${key}`;
    let counter = this.counters.get(id);
    if (!counter || (counter.expiresAt <= now && counter.blockedUntil <= now)) {
      if (!counter && this.counters.size >= MAX_COUNTERS) this.evict(now);
      counter = { hits: 0, expiresAt: now + ttl, blockedUntil: 0 };
      this.counters.set(id, counter);
    } else if (counter.expiresAt <= now) {
      counter.hits = 0;
      counter.expiresAt = now + ttl;
    }
    counter.hits += 1;
    if (counter.blockedUntil <= now && counter.hits > limit) counter.blockedUntil = now + blockDuration;
    return {
      totalHits: counter.hits,
      timeToExpire: secondsUntil(counter.expiresAt, now),
      isBlocked: counter.blockedUntil > now,
      timeToBlockExpire: secondsUntil(counter.blockedUntil, now),
    };
  }

  /** Seconds left of the block on `key`, 0 when it is not blocked (counts nothing). */
  blockedFor(key: string, throttlerName: string): number {
    const counter = this.counters.get(`${throttlerName}:${key}`);
    return counter ? secondsUntil(counter.blockedUntil, this.now()) : 0;
  }

  private evict(now: number): void {
    for (const [id, counter] of this.counters) {
      if (counter.expiresAt <= now && counter.blockedUntil <= now) this.counters.delete(id);
    }
    // Still full: drop the oldest entries (a Map iterates in insertion order).
    for (const id of this.counters.keys()) {
      if (this.counters.size < MAX_COUNTERS) break;
      this.counters.delete(id);
    }
  }
}

function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}
