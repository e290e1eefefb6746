import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { type AuthSessionsOptions, resolveAuthSessionsOptions } from './auth-sessions.options.js';
import type { AuthUsersProvider } from './users/users-provider.js';
import { NO_USERS } from './users/users-provider.spec-support.js';

const users = NO_USERS;

function optionsWith(overrides: Partial<AuthSessionsOptions> = {}): AuthSessionsOptions {
  return { users, publicOrigin: 'https://app.example.com', redis: { url: 'redis://localhost:6379' }, ...overrides };
}

describe('resolveAuthSessionsOptions', () => {
  let warnings: string[];

  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('cookieSecure and an HTTPS publicOrigin', () => {
    it('should warn when the site is served over HTTPS and cookieSecure is not set, and keep the default', () => {
      expect(resolveAuthSessionsOptions(optionsWith()).cookieSecure).toBe(false);
      expect(warnings).toEqual([expect.stringMatching(/`publicOrigin` is https:\/\/app\.example\.com but `cookieSecure` is not set.*cookieSecure: true/)]);
    });

    it('should warn as well when cookieSecure is false (a host passing an unset variable as false), and keep it', () => {
      expect(resolveAuthSessionsOptions(optionsWith({ cookieSecure: false })).cookieSecure).toBe(false);
      expect(warnings).toEqual([expect.stringMatching(/`publicOrigin` is https:\/\/app\.example\.com but `cookieSecure` is false.*cookieSecure: true/)]);
    });

    it.each([
      ['set to true', { cookieSecure: true }],
      ['unset on a plain-http origin', { publicOrigin: 'http://localhost:3000' }],
      ['false on a plain-http origin', { publicOrigin: 'http://localhost:3000', cookieSecure: false }],
    ])('should say nothing when it is %s', (_case, overrides) => {
      resolveAuthSessionsOptions(optionsWith(overrides));
      expect(warnings).toEqual([]);
    });
  });

  describe('when only the required options are given', () => {
    it('should apply the documented defaults', () => {
      expect(resolveAuthSessionsOptions(optionsWith())).toMatchObject({
        users,
        publicOrigin: 'https://app.example.com',
        cookieSecure: false,
        session: { idleSeconds: 1800, absoluteSeconds: 43200 },
        rememberMe: { idleSeconds: 604800, absoluteSeconds: 2592000 },
        freshAgeSeconds: 900,
        clearSiteData: ['cache', 'cookies', 'storage'],
        logoutRedirect: '/login?logged_out=1',
        expirySweepEveryMs: 60000,
        runWorkers: true,
      });
    });
  });

  describe('when a lifetime is given in part', () => {
    it('should keep the default for the other half', () => {
      const resolved = resolveAuthSessionsOptions(optionsWith({ session: { idleSeconds: 60 }, rememberMe: { absoluteSeconds: 3600 } }));

      expect(resolved.session).toEqual({ idleSeconds: 60, absoluteSeconds: 43200 });
      expect(resolved.rememberMe).toEqual({ idleSeconds: 604800, absoluteSeconds: 3600 });
    });
  });

  describe('when publicOrigin has a path or a trailing slash', () => {
    it('should keep only the origin, which is what browsers send in Origin', () => {
      expect(resolveAuthSessionsOptions(optionsWith({ publicOrigin: 'https://app.example.com:8443/console/' })).publicOrigin).toBe(
        'https://app.example.com:8443',
      );
    });
  });

  describe('when users is missing', () => {
    it('should throw an error that names AuthUsersProvider', () => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ users: undefined as unknown as AuthUsersProvider }))).toThrow(
        /`users` is required.*AuthUsersProvider/,
      );
    });
  });

  describe('when publicOrigin is not an absolute URL', () => {
    it.each(['app.example.com', '', '/relative', 'not a url'])('should reject %j', (publicOrigin) => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ publicOrigin }))).toThrow(/`publicOrigin` must be an absolute URL/);
    });

    it('should reject a missing publicOrigin, saying it is required', () => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ publicOrigin: undefined as unknown as string }))).toThrow(/`publicOrigin` is required/);
    });
  });

  describe('when a lifetime is not a positive whole number of seconds', () => {
    it.each([
      ['session idle 0', { session: { idleSeconds: 0 } }, /`session.idleSeconds` must be a whole number of seconds, at least 1 \(got 0\)/],
      ['session absolute negative', { session: { absoluteSeconds: -1 } }, /`session.absoluteSeconds` must be a whole number/],
      ['session idle NaN', { session: { idleSeconds: Number.NaN } }, /`session.idleSeconds` must be a whole number/],
      ['session idle as a string', { session: { idleSeconds: '1800' } }, /`session.idleSeconds` must be a whole number of seconds.*\(got the string "1800"\)/],
      ['rememberMe idle 0', { rememberMe: { idleSeconds: 0 } }, /`rememberMe.idleSeconds` must be a whole number/],
      ['rememberMe absolute negative', { rememberMe: { absoluteSeconds: -3600 } }, /`rememberMe.absoluteSeconds` must be a whole number/],
      ['rememberMe absolute fractional', { rememberMe: { absoluteSeconds: 1.5 } }, /`rememberMe.absoluteSeconds` must be a whole number/],
    ] as const)('should reject %s', (_label, overrides, message) => {
      expect(() => resolveAuthSessionsOptions(optionsWith(overrides as unknown as Partial<AuthSessionsOptions>))).toThrow(message);
    });
  });

  describe('when a number is given as a string, or is not finite', () => {
    it.each([
      ['freshAgeSeconds', { freshAgeSeconds: 'abc' }, /`freshAgeSeconds` must be a whole number of seconds, at least 1 \(got the string "abc"\)/],
      ['freshAgeSeconds', { freshAgeSeconds: '900' }, /`freshAgeSeconds` must be a whole number/],
      ['freshAgeSeconds', { freshAgeSeconds: 0 }, /`freshAgeSeconds` must be a whole number of seconds, at least 1/],
      ['expirySweepEveryMs', { expirySweepEveryMs: '60000' }, /`expirySweepEveryMs` must be a whole number of milliseconds, at least 100/],
      ['expirySweepEveryMs', { expirySweepEveryMs: Number.POSITIVE_INFINITY }, /`expirySweepEveryMs` must be a whole number/],
      ['jobs.batchSize', { jobs: { batchSize: '1000' } }, /`jobs.batchSize` must be a whole number of sessions, at least 1/],
      ['jobs.batchSize', { jobs: { batchSize: 0 } }, /`jobs.batchSize` must be a whole number/],
      ['jobs.lockDurationMs', { jobs: { lockDurationMs: 100 } }, /`jobs.lockDurationMs` must be a whole number of milliseconds, at least 500/],
      ['jobs.stalledIntervalMs', { jobs: { stalledIntervalMs: Number.NaN } }, /`jobs.stalledIntervalMs` must be a whole number/],
      ['eventsHeartbeatMs', { eventsHeartbeatMs: 30_000 }, /`eventsHeartbeatMs` must be a whole number of milliseconds.*from 1 to 25000/],
      ['eventsHeartbeatMs', { eventsHeartbeatMs: '20000' }, /`eventsHeartbeatMs` must be a whole number/],
      ['accessTokens.ttlSeconds', { accessTokens: { ttlSeconds: 901 } }, /`accessTokens.ttlSeconds` must be a whole number of seconds.*from 1 to 900/],
      ['refreshReuseGraceSeconds', { refreshReuseGraceSeconds: -1 }, /`refreshReuseGraceSeconds` must be a whole number of seconds, at least 0/],
      ['refreshReuseGraceSeconds', { refreshReuseGraceSeconds: '10' }, /`refreshReuseGraceSeconds` must be a whole number/],
      ['auditSealEveryMs', { auditSealEveryMs: 50 }, /`auditSealEveryMs` must be a whole number of milliseconds, at least 100/],
      ['rateLimit.limit', { rateLimit: { limit: '20' } }, /`rateLimit.limit` must be a whole number/],
      ['rateLimit.account.limit', { rateLimit: { account: { limit: 0 } } }, /`rateLimit.account.limit` must be a whole number of attempts, at least 1/],
      ['rateLimit.account.windowSeconds', { rateLimit: { account: { windowSeconds: '900' } } }, /`rateLimit.account.windowSeconds` must be a whole number/],
      [
        'rateLimit.account.familiarDays',
        { rateLimit: { account: { familiarDays: 401 } } },
        /`rateLimit.account.familiarDays` must be a whole number of days, from 0 to 400/,
      ],
      [
        'rateLimit.account.familiarLimit',
        { rateLimit: { account: { familiarLimit: 0 } } },
        /`rateLimit.account.familiarLimit` must be a whole number of wrong passwords, at least 1/,
      ],
      [
        'rateLimit.account.familiarLimit',
        { rateLimit: { account: { familiarLimit: null } } },
        /`rateLimit.account.familiarLimit` must be a whole number.*\(got null\)/,
      ],
      ['rateLimit.account.familiarLimit', { rateLimit: { account: { familiarLimit: true } } }, /`rateLimit.account.familiarLimit` must be a whole number/],
      ['rateLimit.account', { rateLimit: { account: true } }, /`rateLimit.account` must be an object/],
      ['auditRetentionDays', { auditRetentionDays: '400' }, /`auditRetentionDays` must be a whole number/],
      ['auditRetentionDays', { auditRetentionDays: null }, /`auditRetentionDays` must be a whole number of days.*from 30 to 36525 \(got null\)/],
      ['auditRetentionDays', { auditRetentionDays: 29 }, /`auditRetentionDays` must be a whole number of days.*from 30 to 36525/],
      [
        'sessionRetentionDays',
        { sessionRetentionDays: 30 },
        /`sessionRetentionDays` must be a whole number of days \(.*false keeps them all\), from 31 to 36525 \(got 30\)/,
      ],
      ['sessionRetentionDays', { sessionRetentionDays: 1e9 }, /`sessionRetentionDays` must be a whole number of days.*from 31 to 36525 \(got 1000000000\)/],
      ['auditRetentionDays', { auditRetentionDays: 36_526 }, /`auditRetentionDays` must be a whole number of days.*from 30 to 36525/],
      ['sessionRetentionDays', { sessionRetentionDays: null }, /`sessionRetentionDays` must be a whole number.*\(got null\)/],
      ['sessionRetentionDays', { sessionRetentionDays: '90' }, /`sessionRetentionDays` must be a whole number/],
      ['sessionRetentionDays', { sessionRetentionDays: true }, /`sessionRetentionDays` must be a whole number/],
      [
        'sessionRetentionDays',
        { sessionRetentionDays: 60, rateLimit: { account: { familiarDays: 60 } } },
        /`sessionRetentionDays` \(60\) must be more than `rateLimit.account.familiarDays` \(60\)/,
      ],
    ] as const)('should reject %s = %j', (_name, overrides, message) => {
      expect(() => resolveAuthSessionsOptions(optionsWith(overrides as unknown as Partial<AuthSessionsOptions>))).toThrow(message);
    });

    it('should accept the same options given as numbers', () => {
      const resolved = resolveAuthSessionsOptions(
        optionsWith({
          freshAgeSeconds: 600,
          expirySweepEveryMs: 100,
          jobs: { batchSize: 10, lockDurationMs: 500, stalledIntervalMs: 500 },
          eventsHeartbeatMs: 25_000,
          refreshReuseGraceSeconds: 0,
        }),
      );

      expect(resolved).toMatchObject({ freshAgeSeconds: 600, expirySweepEveryMs: 100, jobs: { batchSize: 10, lockDurationMs: 500, stalledIntervalMs: 500 } });
    });
  });

  describe('when an option of another type has the wrong type', () => {
    it.each([
      ['cookieSecure', { cookieSecure: 'true' }, /`cookieSecure` must be true or false \(got the string "true"\)/],
      ['runWorkers', { runWorkers: 'false' }, /`runWorkers` must be true or false/],
      ['sessionCache', { sessionCache: 1 }, /`sessionCache` must be true or false/],
      ['credentialChanges.password.notify', { credentialChanges: { password: { notify: 'no' } } }, /`credentialChanges.password.notify` must be true or false/],
      ['metrics.public', { metrics: { public: 'yes' } }, /`metrics.public` must be true or false/],
      ['metrics.token', { metrics: { token: 42 } }, /`metrics.token` must be a string/],
      ['logoutRedirect', { logoutRedirect: 42 }, /`logoutRedirect` must be a string/],
      ['refreshReuseRevokes', { refreshReuseRevokes: 'everyone' }, /`refreshReuseRevokes` must be one of 'session', 'user'/],
      ['accessTokens.algorithm', { accessTokens: { algorithm: 'RS256' } }, /`accessTokens.algorithm` must be one of 'HS256', 'EdDSA', 'ES256'/],
      ['clearSiteData', { clearSiteData: 'cookies' }, /`clearSiteData` must be an array/],
      ['clearSiteData[]', { clearSiteData: ['cookies', 'everything'] }, /`clearSiteData\[\]` must be one of 'cache', 'cookies'/],
      ['session', { session: 1800 }, /`session` must be an object \(got 1800\)/],
      ['places', { places: 'dbip' }, /`places` must be a PlaceLookup/],
      ['rateLimit.storage', { rateLimit: { storage: {} } }, /`rateLimit.storage` must have an increment\(\) method/],
    ] as const)('should reject %s', (_name, overrides, message) => {
      expect(() => resolveAuthSessionsOptions(optionsWith(overrides as unknown as Partial<AuthSessionsOptions>))).toThrow(message);
    });
  });

  describe('when the users provider lacks a method the library calls', () => {
    it('should name every missing method', () => {
      const onlyFindById = { findById: users.findById } as unknown as AuthUsersProvider;

      expect(() => resolveAuthSessionsOptions(optionsWith({ users: onlyFindById }))).toThrow(
        /`users` must implement AuthUsersProvider; it has no findByEmail\(\), verifyPassword\(\), changePassword\(\), changeEmail\(\), search\(\)/,
      );
    });

    it('should accept methods inherited from a class', () => {
      class Users {
        findById = users.findById;
        findByEmail = users.findByEmail;
        verifyPassword = users.verifyPassword;
        changePassword = users.changePassword;
        changeEmail = users.changeEmail;
        search() {
          return users.search({ page: 1, pageSize: 1 });
        }
      }
      class MoreUsers extends Users {}

      expect(() => resolveAuthSessionsOptions(optionsWith({ users: new MoreUsers() }))).not.toThrow();
    });

    it('should reject a provisionSsoUser that is not a method', () => {
      const withBadProvision = { ...users, provisionSsoUser: true } as unknown as AuthUsersProvider;

      expect(() => resolveAuthSessionsOptions(optionsWith({ users: withBadProvision }))).toThrow(/`users.provisionSsoUser` must be a method/);
    });
  });

  describe('when an option is unknown', () => {
    it.each([
      ['at the top level', { sesion: { idleSeconds: 60 } }, /unknown option `sesion`; the options are users, publicOrigin, redis/],
      ['in session', { session: { idleSecond: 60 } }, /unknown option `session.idleSecond`; the options of `session` are idleSeconds, absoluteSeconds/],
      ['in rememberMe', { rememberMe: { absolute: 60 } }, /unknown option `rememberMe.absolute`/],
      ['in jobs', { jobs: { concurrency: 4 } }, /unknown option `jobs.concurrency`; the options of `jobs` are batchSize, lockDurationMs, stalledIntervalMs/],
      ['in accessTokens', { accessTokens: { ttl: 60 } }, /unknown option `accessTokens.ttl`/],
      ['in credentialChanges', { credentialChanges: { username: {} } }, /unknown option `credentialChanges.username`/],
      ['in a credential change policy', { credentialChanges: { email: { keep: true } } }, /unknown option `credentialChanges.email.keep`/],
      ['in metrics', { metrics: { tokens: 'x' } }, /unknown option `metrics.tokens`/],
      ['in rateLimit', { rateLimit: { window: 60 } }, /unknown option `rateLimit.window`/],
      [
        'in rateLimit.account',
        { rateLimit: { account: { familiar: 30 } } },
        /unknown option `rateLimit.account.familiar`; the options of `rateLimit.account` are limit, windowSeconds, familiarDays, familiarLimit/,
      ],
      ['in redis', { redis: { url: 'redis://localhost:6379', keyPrefix: 'x' } }, /unknown option `redis.keyPrefix`/],
      [
        'in oidc',
        { oidc: { issuer: 'https://login.example.com', clientId: 'c', clientSecret: 'x'.repeat(16), audience: 'a' } },
        /unknown option `oidc.audience`/,
      ],
    ] as const)('should reject one %s, naming it and the known ones', (_where, overrides, message) => {
      expect(() => resolveAuthSessionsOptions(optionsWith(overrides as unknown as Partial<AuthSessionsOptions>))).toThrow(message);
    });

    it('should point metricsToken (0.1) at metrics.token, which it became in 0.2', () => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ metricsToken: 's3cret' } as unknown as Partial<AuthSessionsOptions>))).toThrow(
        /`metricsToken` is not an option here; use `metrics: \{ token \}` \(renamed after 0\.1/,
      );
    });

    it('should say that a module extra returned by useFactory belongs next to it', () => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ isGlobal: true } as unknown as Partial<AuthSessionsOptions>))).toThrow(
        /`isGlobal` is not an option here; use `isGlobal` next to `useFactory` \(it is a module extra/,
      );
    });

    it('should accept every documented option', () => {
      expect(() =>
        resolveAuthSessionsOptions(
          optionsWith({
            redis: { url: 'redis://localhost:6379', prefix: 'app' },
            cookieSecure: true,
            session: { idleSeconds: 60, absoluteSeconds: 120 },
            rememberMe: { idleSeconds: 60, absoluteSeconds: 120 },
            freshAgeSeconds: 60,
            clearSiteData: ['cookies', '*'],
            logoutRedirect: '/bye',
            expirySweepEveryMs: 1000,
            runWorkers: false,
            accessTokens: { secret: 'x'.repeat(32), algorithm: 'HS256', publicKeys: {}, ttlSeconds: 60 },
            refreshReuseGraceSeconds: 5,
            refreshReuseRevokes: 'user',
            credentialChanges: { password: { keepCurrent: false, notify: false }, email: {}, security_concern: { notify: true } },
            eventsHeartbeatMs: 1000,
            jobs: { batchSize: 1, lockDurationMs: 1000, stalledIntervalMs: 1000 },
            sessionCache: false,
            metrics: { token: 't', public: false, path: '/m' },
            rateLimit: {
              limit: 1,
              windowSeconds: 1,
              storage: { increment: () => Promise.resolve({ totalHits: 1, timeToExpire: 1, isBlocked: false, timeToBlockExpire: 0 }) },
              account: { limit: 1, windowSeconds: 1, familiarDays: 0, familiarLimit: false },
            },
            auditRetentionDays: 30,
            auditSealEveryMs: 100,
            sessionRetentionDays: 31,
            places: { lookup: () => null },
          }),
        ),
      ).not.toThrow();
      expect(() => resolveAuthSessionsOptions(optionsWith({ rateLimit: false, places: false }))).not.toThrow();
      expect(resolveAuthSessionsOptions(optionsWith({ rateLimit: { account: false } })).rateLimit?.account).toBeNull();
      expect(resolveAuthSessionsOptions(optionsWith({})).rateLimit?.account).toEqual({ limit: 25, windowSeconds: 900, familiarDays: 30, familiarLimit: 50 });
      expect(resolveAuthSessionsOptions(optionsWith({ rateLimit: { account: { familiarLimit: false } } })).rateLimit?.account?.familiarLimit).toBeNull();
      expect(resolveAuthSessionsOptions(optionsWith({ rateLimit: { account: { familiarLimit: 5 } } })).rateLimit?.account?.familiarLimit).toBe(5);
    });

    it('should keep ended sessions 90 days unless told otherwise, all of them with false, and any number of days when no account limit needs them', () => {
      expect(resolveAuthSessionsOptions(optionsWith({})).sessionRetentionDays).toBe(90);
      expect(resolveAuthSessionsOptions(optionsWith({ sessionRetentionDays: false })).sessionRetentionDays).toBeNull();
      expect(resolveAuthSessionsOptions(optionsWith({ sessionRetentionDays: 31 })).sessionRetentionDays).toBe(31);
      expect(resolveAuthSessionsOptions(optionsWith({ sessionRetentionDays: 31, rateLimit: false })).sessionRetentionDays).toBe(31);
      expect(resolveAuthSessionsOptions(optionsWith({ sessionRetentionDays: 31, rateLimit: { account: false } })).sessionRetentionDays).toBe(31);
      expect(() => resolveAuthSessionsOptions(optionsWith({ sessionRetentionDays: 200, rateLimit: { account: { familiarDays: 200 } } }))).toThrow(
        /must be more than `rateLimit.account.familiarDays`/,
      );
    });
  });

  describe('when logoutRedirect is not a path on this origin', () => {
    it.each(['//x', '//evil.example/login', 'https://evil.example/login', 'login'])('should reject %j', (logoutRedirect) => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ logoutRedirect }))).toThrow(/`logoutRedirect` must be a path on this origin/);
    });

    it('should accept a path', () => {
      expect(resolveAuthSessionsOptions(optionsWith({ logoutRedirect: '/bye' })).logoutRedirect).toBe('/bye');
    });
  });
});
