import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { jest } from '@jest/globals';
import { CACHE_TRUST_MS, type SessionBus, type SessionChange } from './session-bus.js';
import { type CachedSession, SessionCache } from './session-cache.js';
import type { Session } from './session.entity.js';

/** A bus that always trusts (generation 0) and lets the test deliver changes as another instance would. */
class FakeBus {
  private listener: ((change: SessionChange) => void) | undefined;
  onChange(listener: (change: SessionChange) => void): void {
    this.listener = listener;
  }
  fillGeneration(): number {
    return 0;
  }
  isTrusted(): boolean {
    return true;
  }
  deliver(change: SessionChange): void {
    this.listener?.(change);
  }
}

const cached = (sessionId: string, userId = 'u-1'): CachedSession => ({
  found: { session: { id: sessionId, userId } as Session, userEpoch: { epoch: 0, reason: null, changedAt: null } },
  user: { id: userId, email: 'ada@example.com', roles: [] },
});

const ended = (sessionIds: string[], userId = 'u-1'): SessionChange => ({
  userId,
  sessionIds,
  reason: 'revoked_by_admin',
  allOfUser: false,
  exceptSessionId: null,
});

describe('SessionCache', () => {
  let bus: FakeBus;
  let cache: SessionCache;

  beforeEach(() => {
    bus = new FakeBus();
    cache = new SessionCache(bus as unknown as SessionBus, { sessionCache: true } as ResolvedAuthSessionsOptions);
  });

  it('should say it is serving only while it is on and the bus trusts it', () => {
    expect(cache.serving).toBe(true);
    const off = new SessionCache(bus as unknown as SessionBus, { sessionCache: false } as ResolvedAuthSessionsOptions);
    expect(off.serving).toBe(false);
    const untrusted = Object.assign(new FakeBus(), { fillGeneration: () => null });
    expect(new SessionCache(untrusted as unknown as SessionBus, { sessionCache: true } as ResolvedAuthSessionsOptions).serving).toBe(false);
  });

  it('should serve a loaded session from memory until a change names it', async () => {
    let loads = 0;
    const load = async () => (loads++, cached('s-1'));
    await cache.getOrLoad('token:a', load);
    await cache.getOrLoad('token:a', load);
    expect(loads).toBe(1);
    bus.deliver(ended(['s-1']));
    expect(cache.get('token:a')).toBeUndefined();
  });

  it('should drop the entries no lookup may use any more (past CACHE_TRUST_MS) when it fills, so sessions that ended unannounced do not pile up', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      for (let i = 0; i < 50; i++) await cache.getOrLoad(`token:${i}`, async () => cached(`s-${i}`));
      expect(cache.size).toBe(50);
      jest.advanceTimersByTime(CACHE_TRUST_MS - 100);
      await cache.getOrLoad('token:fresh', async () => cached('s-fresh'));
      // Still usable: nothing dropped.
      expect(cache.size).toBe(51);
      jest.advanceTimersByTime(200);
      await cache.getOrLoad('token:later', async () => cached('s-later'));
      // The first 50 are past the bound; the one filled 200 ms ago and the new one stay.
      expect(cache.size).toBe(2);
      expect(cache.get('token:fresh')).toBeDefined();
      // Their indexes by session and user are emptied too: a change naming a dropped session finds nothing.
      bus.deliver({ userId: 'u-1', sessionIds: [], reason: 'password_change', allOfUser: true, exceptSessionId: null });
      expect(cache.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('should not keep a row read while a change arrived: the read may predate the commit the change announces', async () => {
    let finishRead!: (value: CachedSession) => void;
    const inFlight = cache.getOrLoad('token:a', () => new Promise<CachedSession>((resolve) => (finishRead = resolve)));
    // Another instance revokes s-1 and this one acknowledges while its read is still in flight (nothing cached to drop yet).
    bus.deliver(ended(['s-1']));
    finishRead(cached('s-1'));
    // The request that started the read gets what it read (it was sent before the revocation was answered) ...
    await expect(inFlight).resolves.toMatchObject({ found: { session: { id: 's-1' } } });
    // ... but nothing is kept for the requests after it.
    expect(cache.get('token:a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('should drop every session of a user on an epoch bump, and nothing of other users', async () => {
    await cache.getOrLoad('token:a', async () => cached('s-1'));
    await cache.getOrLoad('token:b', async () => cached('s-2'));
    await cache.getOrLoad('token:c', async () => cached('s-3', 'u-2'));
    bus.deliver({ userId: 'u-1', sessionIds: [], reason: 'password_change', allOfUser: true, exceptSessionId: null });
    expect(cache.get('token:a')).toBeUndefined();
    expect(cache.get('token:b')).toBeUndefined();
    expect(cache.get('token:c')).toBeDefined();
  });

  it("should drop every key a session is cached under, and keep the user's other sessions until their own change", async () => {
    // s-1 under two keys (its token, and its id as a bearer token's sid), s-2 beside it: the user has three keys.
    await cache.getOrLoad('token:a', async () => cached('s-1'));
    await cache.getOrLoad('session:s-1', async () => cached('s-1'));
    await cache.getOrLoad('token:b', async () => cached('s-2'));
    bus.deliver(ended(['s-1']));
    expect(cache.get('token:a')).toBeUndefined();
    expect(cache.get('session:s-1')).toBeUndefined();
    expect(cache.get('token:b')).toBeDefined();
    expect(cache.size).toBe(1);
    // Filled again under one key after the user's set of keys shrank: an epoch bump still finds it, and the other one.
    await cache.getOrLoad('token:a2', async () => cached('s-3'));
    bus.deliver({ userId: 'u-1', sessionIds: [], reason: 'password_change', allOfUser: true, exceptSessionId: null });
    expect(cache.size).toBe(0);
    // A user with a single key (held as the key itself): the epoch bump finds it too.
    await cache.getOrLoad('token:c', async () => cached('s-4', 'u-2'));
    bus.deliver({ userId: 'u-2', sessionIds: [], reason: 'logout_everywhere', allOfUser: true, exceptSessionId: null });
    expect(cache.get('token:c')).toBeUndefined();
  });
});
