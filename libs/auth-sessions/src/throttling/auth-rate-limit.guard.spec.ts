import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RATE_LIMITED_METADATA } from '../auth-sessions.constants.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AuthRedis } from '../common/auth-redis.js';
import type { HttpEdge } from '../edge/http-edge.js';
import { SecurityEvents } from '../audit/security-events.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { TooManyAttemptsError } from '../sessions/session.errors.js';
import type { RateLimitStorage } from './rate-limit-storage.js';

class LoginController {
  login(): void {}
  other(): void {}
}
Reflect.defineMetadata(RATE_LIMITED_METADATA, true, LoginController.prototype.login);

function contextFor(handler: () => void, ip = '203.0.113.7', headers: Record<string, string> = {}): ExecutionContext {
  const res = { headers };
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => LoginController,
    switchToHttp: () => ({ getRequest: () => ({ headers: {}, ip }), getResponse: () => res }),
  } as unknown as ExecutionContext;
}

const edge = {
  clientContext: (req: { ip: string }) => ({ ip: req.ip, userAgent: '', requestId: null }),
  setHeader: (res: { headers: Record<string, string> }, name: string, value: string) => {
    res.headers[name] = value;
  },
} as unknown as HttpEdge;

function guardWith(rateLimit: ResolvedAuthSessionsOptions['rateLimit']): AuthRateLimitGuard {
  return new AuthRateLimitGuard(
    new Reflector(),
    edge,
    { commands: {}, key: (name: string) => `p:auth:${name}` } as unknown as AuthRedis,
    {
      rateLimit,
    } as ResolvedAuthSessionsOptions,
  );
}

describe('AuthRateLimitGuard', () => {
  describe('with a storage that works', () => {
    it('should count only @RateLimited() routes, per route and IP, and answer 429 past the limit', async () => {
      const keys: string[] = [];
      const counts = new Map<string, number>();
      const storage: RateLimitStorage = {
        increment: async (key) => {
          keys.push(key);
          const hits = (counts.get(key) ?? 0) + 1;
          counts.set(key, hits);
          return { totalHits: hits, timeToExpire: 60, isBlocked: hits > 2, timeToBlockExpire: hits > 2 ? 42 : 0 };
        },
      };
      const guard = guardWith({ limit: 2, windowSeconds: 60, storage, account: null });

      // A route that is not limited is answered at once (Nest then does not wait a tick for this guard).
      expect(guard.canActivate(contextFor(LoginController.prototype.other))).toBe(true);
      await expect(Promise.resolve(guard.canActivate(contextFor(LoginController.prototype.login)))).resolves.toBe(true);
      await expect(Promise.resolve(guard.canActivate(contextFor(LoginController.prototype.login)))).resolves.toBe(true);
      const blocked = contextFor(LoginController.prototype.login);
      await expect(Promise.resolve(guard.canActivate(blocked))).rejects.toBeInstanceOf(TooManyAttemptsError);
      expect(blocked.switchToHttp().getResponse<{ headers: Record<string, string> }>().headers['Retry-After']).toBe('42');
      await expect(Promise.resolve(guard.canActivate(contextFor(LoginController.prototype.login, '198.51.100.1')))).resolves.toBe(true);
      expect(new Set(keys)).toEqual(new Set(['LoginController.login:203.0.113.7', 'LoginController.login:198.51.100.1']));
    });
  });

  describe('with the security log (AUD-06)', () => {
    it('should record each refused request as excess_rate_limit_exceeded, and nothing while under the limit', async () => {
      const events = new SecurityEvents();
      const recorded: string[] = [];
      events.onRecorded((event) => recorded.push(event));
      let hits = 0;
      const storage: RateLimitStorage = {
        increment: async () => {
          hits++;
          return { totalHits: hits, timeToExpire: 60, isBlocked: hits > 1, timeToBlockExpire: hits > 1 ? 60 : 0 };
        },
      };
      const guard = new AuthRateLimitGuard(
        new Reflector(),
        { ...edge, method: () => 'POST' } as unknown as HttpEdge,
        { commands: {}, key: (name: string) => `p:auth:${name}` } as unknown as AuthRedis,
        { rateLimit: { limit: 1, windowSeconds: 60, storage, account: null } } as ResolvedAuthSessionsOptions,
        events,
      );
      await expect(Promise.resolve(guard.canActivate(contextFor(LoginController.prototype.login)))).resolves.toBe(true);
      expect(recorded).toEqual([]);
      await expect(Promise.resolve(guard.canActivate(contextFor(LoginController.prototype.login)))).rejects.toBeInstanceOf(TooManyAttemptsError);
      expect(recorded).toEqual(['excess_rate_limit_exceeded']);
    });
  });

  describe('with IPv6 clients', () => {
    it('should count every address of one /64 as one client, and another /64 apart', async () => {
      const keys: string[] = [];
      const storage: RateLimitStorage = {
        increment: async (key) => {
          keys.push(key);
          const hits = keys.filter((seen) => seen === key).length;
          return { totalHits: hits, timeToExpire: 60, isBlocked: hits > 2, timeToBlockExpire: hits > 2 ? 42 : 0 };
        },
      };
      const guard = guardWith({ limit: 2, windowSeconds: 60, storage, account: null });
      const attempt = (ip: string) => Promise.resolve(guard.canActivate(contextFor(LoginController.prototype.login, ip)));
      await expect(attempt('2001:db8:7:1::a')).resolves.toBe(true);
      await expect(attempt('2001:db8:7:1::b')).resolves.toBe(true);
      // A third address of the same /64 is the same client: over the limit.
      await expect(attempt('2001:db8:7:1:dead:beef:0:1')).rejects.toBeInstanceOf(TooManyAttemptsError);
      await expect(attempt('2001:db8:7:2::a')).resolves.toBe(true);
      expect(new Set(keys)).toEqual(new Set(['LoginController.login:2001:db8:7:1::/64', 'LoginController.login:2001:db8:7:2::/64']));
    });
  });

  describe('when the storage fails (Redis down)', () => {
    it('should fall back to per-instance counters: never an error, never unlimited', async () => {
      const storage: RateLimitStorage = { increment: async () => Promise.reject(new Error('Connection is closed.')) };
      const guard = guardWith({ limit: 3, windowSeconds: 60, storage, account: null });
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        outcomes.push(
          await Promise.resolve(guard.canActivate(contextFor(LoginController.prototype.login))).then(
            () => 'allowed',
            (error: unknown) => (error instanceof TooManyAttemptsError ? '429' : `error: ${String(error)}`),
          ),
        );
      }
      expect(outcomes).toEqual(['allowed', 'allowed', 'allowed', '429', '429']);
    });
  });

  describe('when rate limits are off', () => {
    it('should let every request through without counting', () => {
      const guard = guardWith(null);
      for (let attempt = 0; attempt < 50; attempt++) expect(guard.canActivate(contextFor(LoginController.prototype.login))).toBe(true);
    });
  });
});
