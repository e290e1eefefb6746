import { loggedUrl } from './logging.js';

describe('loggedUrl', () => {
  it('should keep a URL without secrets as it was sent', () => {
    expect(loggedUrl('/api/auth/me')).toBe('/api/auth/me');
    expect(loggedUrl('/api/admin/audit?userId=0b6a3c8e&type=login&limit=20')).toBe('/api/admin/audit?userId=0b6a3c8e&type=login&limit=20');
    expect(loggedUrl(undefined)).toBe('');
  });

  it("should redact the identity provider's code and state, and every other one-time secret, whatever their case", () => {
    const logged = loggedUrl('/api/auth/oidc/callback?code=HRYemVP3secret&state=sealed.state.value&iss=https%3A%2F%2Fidp.example');
    expect(logged).toBe('/api/auth/oidc/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&iss=https%3A%2F%2Fidp.example');
    for (const name of ['nonce', 'id_token_hint', 'access_token', 'refresh_token', 'token', 'logout_token', 'session_state', '_csrf', 'Code']) {
      expect(loggedUrl(`/x?${name}=the-secret-value`)).not.toContain('the-secret-value');
    }
    // Repeated, the value is redacted once for all.
    expect(loggedUrl('/x?code=one&code=two')).toBe('/x?code=%5Bredacted%5D');
  });
});
