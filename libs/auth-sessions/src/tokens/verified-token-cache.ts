import { hash } from 'node:crypto';

/** The verified claims a cache entry keeps: only the times matter to the cache itself. */
interface TimedClaims {
  exp: number;
}

/** What the cache answers for a token it has verified before. */
export type CachedVerification<C extends TimedClaims> = { status: 'valid'; claims: C } | { status: 'expired'; claims: C };

/** Upper bound on entries: about 300 bytes each (bench/RESULTS.md "Memory"), so ~15 MB at most. */
export const VERIFIED_TOKEN_CACHE_MAX_ENTRIES = 50_000;

/**
 * Access tokens whose signature and claims this instance has already verified, so each distinct
 * token pays for its signature check once, not on every request.
 *
 * Why this opens no revocation window: it caches only what never changes for a given token (its
 * signature and claims); whether the session named by `sid` is still active is checked on every
 * request by the caller, exactly as for cookies.
 *
 * - Keyed by the SHA-256 of the whole token (header, payload and signature), so a token differing
 *   in any byte, a forged signature included, never reaches another token's entry.
 * - An entry answers `valid` until the same instant jose would start refusing the token (`exp`
 *   with the clock tolerance, compared in whole seconds like jose), and `expired` from then on
 *   (then it is dropped), so an expired token still reports `token_expired`.
 * - Bounded: at `maxEntries` the oldest entry goes. Tokens share one lifetime, so insertion order
 *   is close to expiry order; expired entries at the head are swept on every insert.
 */
export class VerifiedTokenCache<C extends TimedClaims> {
  private readonly entries = new Map<string, C>();

  constructor(
    private readonly clockToleranceSeconds: number,
    private readonly maxEntries = VERIFIED_TOKEN_CACHE_MAX_ENTRIES,
  ) {}

  /** The cache key of a token: its SHA-256, base64url. */
  static keyOf(token: string): string {
    // The one-shot hash: about 2.5x cheaper than createHash() for a token-sized input, on every bearer request.
    return hash('sha256', token, 'base64url');
  }

  /** The earlier verification of this key at `nowMs`, or undefined when there is none. */
  get(key: string, nowMs = Date.now()): CachedVerification<C> | undefined {
    const claims = this.entries.get(key);
    if (claims === undefined) return undefined;
    if (this.isExpired(claims, nowMs)) {
      this.entries.delete(key);
      return { status: 'expired', claims };
    }
    return { status: 'valid', claims };
  }

  /** Remembers claims that were just verified in full; already expired claims are not kept. */
  set(key: string, claims: C, nowMs = Date.now()): void {
    if (this.isExpired(claims, nowMs)) return;
    this.sweep(nowMs);
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, claims);
  }

  /** Number of entries (for tests and measurements). */
  get size(): number {
    return this.entries.size;
  }

  // jose refuses a token once `exp <= now - tolerance`, with `now` in whole seconds.
  private isExpired(claims: C, nowMs: number): boolean {
    return claims.exp <= Math.floor(nowMs / 1000) - this.clockToleranceSeconds;
  }

  private sweep(nowMs: number): void {
    for (const [key, claims] of this.entries) {
      if (!this.isExpired(claims, nowMs)) return;
      this.entries.delete(key);
    }
  }
}
