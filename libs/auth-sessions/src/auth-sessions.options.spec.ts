import { type AuthSessionsOptions, resolveAuthSessionsOptions } from './auth-sessions.options.js';
import type { AuthUsersProvider } from './users/users-provider.js';

const users = {} as AuthUsersProvider;

function optionsWith(overrides: Partial<AuthSessionsOptions> = {}): AuthSessionsOptions {
  return { users, publicOrigin: 'https://app.example.com', redis: { url: 'redis://localhost:6379' }, ...overrides };
}

describe('resolveAuthSessionsOptions', () => {
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

    it('should reject a missing publicOrigin', () => {
      expect(() => resolveAuthSessionsOptions(optionsWith({ publicOrigin: undefined as unknown as string }))).toThrow(/publicOrigin/);
    });
  });

  describe('when a lifetime is not positive', () => {
    it.each([
      ['session idle 0', { session: { idleSeconds: 0 } }, /`session` lifetimes must be positive/],
      ['session absolute negative', { session: { absoluteSeconds: -1 } }, /`session` lifetimes must be positive/],
      ['session idle NaN', { session: { idleSeconds: Number.NaN } }, /`session` lifetimes must be positive/],
      ['rememberMe idle 0', { rememberMe: { idleSeconds: 0 } }, /`rememberMe` lifetimes must be positive/],
      ['rememberMe absolute negative', { rememberMe: { absoluteSeconds: -3600 } }, /`rememberMe` lifetimes must be positive/],
    ] as const)('should reject %s', (_label, overrides, message) => {
      expect(() => resolveAuthSessionsOptions(optionsWith(overrides))).toThrow(message);
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
