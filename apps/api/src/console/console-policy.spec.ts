import { assetCacheControl, contentSecurityPolicy, createNonce, isClientRoute, isServerPath } from './console-policy.js';

describe('console policy', () => {
  describe('contentSecurityPolicy', () => {
    it('should allow inline styles only by the nonce and forbid framing', () => {
      const csp = contentSecurityPolicy('abc123');
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("style-src 'self' 'nonce-abc123'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("base-uri 'self'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    });
  });

  describe('createNonce', () => {
    it('should return 128 random bits, different every time', () => {
      const nonces = new Set(Array.from({ length: 50 }, createNonce));
      expect(nonces.size).toBe(50);
      expect(Buffer.from([...nonces][0], 'base64')).toHaveLength(16);
    });
  });

  describe('assetCacheControl', () => {
    it('should cache hashed build outputs for a year and revalidate everything else', () => {
      expect(assetCacheControl('main-CN3GDPXB.js')).toBe('public, max-age=31536000, immutable');
      expect(assetCacheControl('media/material-symbols-outlined-URT2MO6R.woff2')).toBe('public, max-age=31536000, immutable');
      // A lazy chunk's hash is base64url and may hold `-` and `_`.
      expect(assetCacheControl('chunk-DcIw0-_O.js')).toBe('public, max-age=31536000, immutable');
      expect(assetCacheControl('favicon.svg')).toBe('no-cache');
    });
  });

  describe('isServerPath', () => {
    it('should leave /api and /metrics to the API, and only them', () => {
      expect(['/api', '/api/auth/me', '/metrics'].every(isServerPath)).toBe(true);
      expect(['/', '/devices', '/apiary', '/admin/users'].some(isServerPath)).toBe(false);
    });
  });

  describe('isClientRoute', () => {
    it('should treat extension-less paths as console routes and dotted ones as files', () => {
      expect(isClientRoute('/admin/users/6f9f3b9e-2c54-4a8e-9d59-1b1f7c4c9a11')).toBe(true);
      expect(isClientRoute('/main-XXXXXXXX.js')).toBe(false);
    });
  });
});
