import { resolveModuleExtras } from './auth-sessions.module-definition.js';
import { type AuthSessionsOptions, resolveAuthSessionsOptions } from './auth-sessions.options.js';
import type { RateLimitStorage } from './throttling/rate-limit-storage.js';
import { NO_USERS } from './users/users-provider.spec-support.js';

const users = NO_USERS;

function optionsWith(overrides: Partial<AuthSessionsOptions> = {}): AuthSessionsOptions {
  return { users, publicOrigin: 'https://app.example.com', redis: { url: 'redis://localhost:6379' }, ...overrides };
}

describe('resolveAuthSessionsOptions', () => {
  describe('metrics', () => {
    it('should be off without a token and without public: true', () => {
      expect(resolveAuthSessionsOptions(optionsWith()).metrics).toBeNull();
      expect(resolveAuthSessionsOptions(optionsWith({ metrics: { token: '' } })).metrics).toBeNull();
      expect(resolveAuthSessionsOptions(optionsWith({ metrics: { path: '/metrics' } })).metrics).toBeNull();
    });

    it('should be on with a token, at /metrics unless a path is given', () => {
      expect(resolveAuthSessionsOptions(optionsWith({ metrics: { token: 't0ken' } })).metrics).toEqual({ token: 't0ken', path: '/metrics' });
      expect(resolveAuthSessionsOptions(optionsWith({ metrics: { public: true, path: '/ops/metrics' } })).metrics).toEqual({
        token: null,
        path: '/ops/metrics',
      });
    });

    it('should still need the token when both a token and public: true are given', () => {
      expect(resolveAuthSessionsOptions(optionsWith({ metrics: { token: 't0ken', public: true } })).metrics?.token).toBe('t0ken');
    });

    it.each(['metrics', '//metrics', '/metrics?x=1', 'http://x/metrics'])('should refuse the path %p', (path) => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ metrics: { public: true, path } }))).toThrow(/`metrics.path` must be an absolute path/);
    });
  });

  describe('rateLimit', () => {
    it('should default to 20 per 60 s in the library Redis, and 25 sign-ins per 15 minutes per account from unfamiliar IPs', () => {
      expect(resolveAuthSessionsOptions(optionsWith()).rateLimit).toEqual({
        limit: 20,
        windowSeconds: 60,
        storage: null,
        account: { limit: 25, windowSeconds: 900, familiarDays: 30, familiarLimit: 50 },
      });
    });

    it('should be off with false, and keep a storage the host plugs in', () => {
      const storage: RateLimitStorage = { increment: async () => ({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 }) };
      expect(resolveAuthSessionsOptions(optionsWith({ rateLimit: false })).rateLimit).toBeNull();
      expect(resolveAuthSessionsOptions(optionsWith({ rateLimit: { limit: 5, storage, account: false } })).rateLimit).toEqual({
        limit: 5,
        windowSeconds: 60,
        storage,
        account: null,
      });
    });

    it.each([0, -1, 1.5])('should refuse a limit of %p and say how to turn limits off', (limit) => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ rateLimit: { limit } }))).toThrow(/rateLimit: false/);
    });
  });
});

describe('resolveModuleExtras', () => {
  it('should default to a module that is not global, guards every route and mounts every API', () => {
    expect(resolveModuleExtras({})).toStrictEqual({
      dataSource: undefined,
      isGlobal: false,
      globalGuard: true,
      routes: { prefix: '', admin: true, audit: true, events: true },
    });
  });

  it("should keep a DataSource's name, and read 'default' as the default one", () => {
    expect(resolveModuleExtras({ dataSource: 'auth' }).dataSource).toBe('auth');
    expect(resolveModuleExtras({ dataSource: 'default' }).dataSource).toBeUndefined();
  });

  it.each([null, '', '   ', 42, {}])('should refuse the dataSource %p, which is not a name', (dataSource) => {
    expect(() => resolveModuleExtras({ dataSource: dataSource as never })).toThrow(/`dataSource` is the name of a TypeORM DataSource .*or left out/);
  });

  it('should keep what is given and trim slashes around the prefix', () => {
    expect(resolveModuleExtras({ isGlobal: true, globalGuard: false, routes: { prefix: '/v1/identity/', admin: false } })).toEqual({
      isGlobal: true,
      globalGuard: false,
      routes: { prefix: 'v1/identity', admin: false, audit: true, events: true },
    });
  });

  it.each(['a b', 'x//y', '../up', 'a?b'])('should refuse the prefix %p', (prefix) => {
    expect(() => resolveModuleExtras({ routes: { prefix } })).toThrow(/`routes.prefix` must be a plain path/);
  });
});
