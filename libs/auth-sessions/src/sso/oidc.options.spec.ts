import type { AuthUsersProvider } from '../users/users-provider.js';
import { resolveOidcOptions } from './oidc.options.js';

const users = { provisionSsoUser: async () => null } as unknown as AuthUsersProvider;
const provider = { issuer: 'https://login.example.com/realms/acme', clientId: 'signoff', clientSecret: 'a-client-secret-of-some-length' };

describe('resolveOidcOptions', () => {
  it('should leave single sign-on off without `oidc`', () => {
    expect(resolveOidcOptions({ users })).toEqual({ providers: [] });
  });

  it('should apply the defaults and keep the issuer exactly as configured', () => {
    expect(resolveOidcOptions({ users, oidc: provider }).providers).toEqual([
      { ...provider, scopes: ['openid', 'email', 'profile'], rpLogout: true, allowInsecureHttp: false },
    ]);
    expect(resolveOidcOptions({ users, oidc: { ...provider, scopes: 'openid  email', rpLogout: false } }).providers[0]).toMatchObject({
      scopes: ['openid', 'email'],
      rpLogout: false,
    });
  });

  it('should refuse a host whose users provider cannot provision SSO users, saying what to implement', () => {
    expect(() => resolveOidcOptions({ users: {} as AuthUsersProvider, oidc: provider })).toThrow(/provisionSsoUser/);
  });

  it.each([
    [{ issuer: 'not a url' }, /absolute URL/],
    [{ issuer: 'http://login.example.com' }, /https/],
    [{ issuer: 'https://login.example.com?x=1' }, /query or fragment/],
    [{ clientId: '' }, /clientId/],
    [{ clientSecret: 'short' }, /at least 16/],
    [{ scopes: ['email'] }, /openid/],
  ])('should refuse %j', (override, message) => {
    expect(() => resolveOidcOptions({ users, oidc: { ...provider, ...override } })).toThrow(message);
  });

  it('should accept plain http only on a loopback host (development)', () => {
    expect(resolveOidcOptions({ users, oidc: { ...provider, issuer: 'http://localhost:4000' } }).providers[0].allowInsecureHttp).toBe(true);
    expect(resolveOidcOptions({ users, oidc: { ...provider, issuer: 'http://127.0.0.1:4000' } }).providers[0].allowInsecureHttp).toBe(true);
  });
});
