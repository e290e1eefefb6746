import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { SignoffUser } from '../users/users-provider.js';
import { CACHE_TRUST_MS, SessionBus, type SessionChange } from './session-bus.js';
import type { SessionWithEpoch } from './session.repository.js';

/** What a cache hit gives the guard: the session row with its user's epoch, and the user. */
export interface CachedSession {
  found: SessionWithEpoch;
  user: SignoffUser;
}

interface Entry extends CachedSession {
  generation: number;
  filledAt: number;
}

const MAX_ENTRIES = 100_000;

/**
 * In-process cache of active sessions, so most requests need no store round trip. Entries are used
 * only while `SessionBus` says this instance may trust its cache, and live CACHE_TRUST_MS at most:
 * each fill first drops the entries past it from the front of the map (fill order), so the cache
 * holds about what was filled in the last CACHE_TRUST_MS, not every session that ever passed through
 * (a session that expired or was swept is never named again, so nothing else would drop it).
 */
@Injectable()
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly keysBySession = new KeysById();
  private readonly keysByUser = new KeysById();
  /** Counts the changes received; a fill that overlapped one is not kept (it may have read the row before the change's commit). */
  private changesSeen = 0;

  private readonly isEnabled: boolean;

  constructor(
    private readonly bus: SessionBus,
    @Inject(AUTH_SESSIONS_OPTIONS) options: ResolvedAuthSessionsOptions,
  ) {
    this.isEnabled = options.sessionCache;
    bus.onChange((change) => this.drop(change));
  }

  /** The trusted entry for a key, or undefined (untrusted entries are dropped). */
  get(key: string): CachedSession | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (!this.bus.isTrusted(entry.generation, entry.filledAt)) {
      this.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * Loads through the cache: `load` reads the store. What it read is kept only if no change arrived
   * while the read was in flight: the read may have started before that change's commit, and this
   * instance has already acknowledged the change (dropping nothing, as nothing was cached yet), so
   * keeping the row would serve the ended session after the revoking instance answered. The trust
   * generation, taken before the read, does the same for a lost connection or a failed probe.
   */
  async getOrLoad(key: string, load: () => Promise<CachedSession | null>): Promise<CachedSession | null> {
    if (!this.isEnabled) return load();
    const hit = this.get(key);
    if (hit) return hit;
    const generation = this.bus.fillGeneration();
    const changesBefore = this.changesSeen;
    const filledAt = performance.now();
    const loaded = await load();
    if (loaded && generation !== null && this.changesSeen === changesBefore && this.bus.isTrusted(generation, filledAt)) {
      this.set(key, { ...loaded, generation, filledAt });
    }
    return loaded;
  }

  /** Number of entries (for metrics and tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Whether what is filled now may be kept and served: the cache is on and the bus trusts it (for metrics). */
  get serving(): boolean {
    return this.isEnabled && this.bus.fillGeneration() !== null;
  }

  private set(key: string, entry: Entry): void {
    this.sweep(performance.now());
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    this.delete(key);
    this.entries.set(key, entry);
    this.keysBySession.add(entry.found.session.id, key);
    this.keysByUser.add(entry.found.session.userId, key);
  }

  /** Drops the entries no lookup may use any more (filled CACHE_TRUST_MS ago), oldest first, up to the first that may still be used. */
  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now < entry.filledAt + CACHE_TRUST_MS) return;
      this.delete(key);
    }
  }

  private drop(change: SessionChange): void {
    // Every change, not only this key's: which session a fill in flight reads is known only when it returns.
    this.changesSeen++;
    if (change.allOfUser) for (const key of this.keysByUser.keysOf(change.userId)) this.delete(key);
    for (const sessionId of change.sessionIds) {
      for (const key of this.keysBySession.keysOf(sessionId)) this.delete(key);
    }
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.keysBySession.remove(entry.found.session.id, key);
    this.keysByUser.remove(entry.found.session.userId, key);
  }
}

/**
 * Cache keys by session or by user id. Most ids have one key (a session is cached under its token,
 * many users have one session), so a lone key is held as the string itself: a Set per id was about
 * 165 bytes of an entry's 2.2 kB (a heap probe of 100,000 entries).
 */
class KeysById {
  private readonly held = new Map<string, string | Set<string>>();

  add(id: string, key: string): void {
    const keys = this.held.get(id);
    if (keys === undefined) this.held.set(id, key);
    else if (typeof keys !== 'string') keys.add(key);
    else if (keys !== key) this.held.set(id, new Set([keys, key]));
  }

  remove(id: string, key: string): void {
    const keys = this.held.get(id);
    if (keys === key) {
      this.held.delete(id);
    } else if (typeof keys === 'object' && keys.delete(key) && keys.size === 1) {
      for (const last of keys) this.held.set(id, last);
    }
  }

  /** A copy, so the caller may delete entries while it walks them. */
  keysOf(id: string): string[] {
    const keys = this.held.get(id);
    return keys === undefined ? [] : typeof keys === 'string' ? [keys] : [...keys];
  }
}
