import { generateSessionToken, xsrfTokenFor } from '../sessions/session-token.js';
import type { HttpRequest } from './http-edge.js';
import { hasValidXsrfToken, isOriginAllowed, isStateChanging } from './request-forgery.js';

const PUBLIC_ORIGIN = 'https://app.example.com';

function fakeRequest(options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): HttpRequest {
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return { method: options.method ?? 'POST', body: options.body, headers };
}

describe('isStateChanging', () => {
  describe('when the method is safe', () => {
    it.each(['GET', 'HEAD', 'OPTIONS', 'get'])('should return false for %s', (method) => {
      expect(isStateChanging(method)).toBe(false);
    });
  });

  describe('when the method changes state', () => {
    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'delete', 'PROPFIND'])('should return true for %s', (method) => {
      expect(isStateChanging(method)).toBe(true);
    });
  });
});

describe('isOriginAllowed', () => {
  describe('when there is no Origin header', () => {
    it('should allow the request', () => {
      expect(isOriginAllowed(fakeRequest(), PUBLIC_ORIGIN)).toBe(true);
    });
  });

  describe('when the Origin is exactly the public origin', () => {
    it('should allow the request', () => {
      expect(isOriginAllowed(fakeRequest({ headers: { Origin: PUBLIC_ORIGIN } }), PUBLIC_ORIGIN)).toBe(true);
    });
  });

  describe("when the Origin is 'null' (sandboxed frames, data: URLs)", () => {
    it('should reject the request', () => {
      expect(isOriginAllowed(fakeRequest({ headers: { Origin: 'null' } }), PUBLIC_ORIGIN)).toBe(false);
    });
  });

  describe('when the Origin only looks like the public origin', () => {
    it.each([
      'https://app.example.com.evil.example',
      'https://evil-app.example.com',
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://app.example.com/',
      'https://app.example.co',
      '',
    ])('should reject %j', (origin) => {
      expect(isOriginAllowed(fakeRequest({ headers: { Origin: origin } }), PUBLIC_ORIGIN)).toBe(false);
    });
  });
});

describe('hasValidXsrfToken', () => {
  const sessionToken = generateSessionToken();
  const xsrf = xsrfTokenFor(sessionToken);

  describe('when the X-XSRF-TOKEN header carries the bound value', () => {
    it('should accept the request', () => {
      expect(hasValidXsrfToken(fakeRequest({ headers: { 'X-XSRF-TOKEN': xsrf } }), sessionToken)).toBe(true);
    });
  });

  describe('when a form posts the bound value as _csrf', () => {
    it('should accept the request', () => {
      expect(hasValidXsrfToken(fakeRequest({ body: { _csrf: xsrf } }), sessionToken)).toBe(true);
    });
  });

  describe('when the value is wrong', () => {
    it('should reject a header with another value', () => {
      expect(hasValidXsrfToken(fakeRequest({ headers: { 'X-XSRF-TOKEN': `${xsrf.slice(0, -1)}${xsrf.endsWith('A') ? 'B' : 'A'}` } }), sessionToken)).toBe(
        false,
      );
    });

    it('should reject the XSRF value of another session', () => {
      const other = xsrfTokenFor(generateSessionToken());

      expect(hasValidXsrfToken(fakeRequest({ headers: { 'X-XSRF-TOKEN': other } }), sessionToken)).toBe(false);
    });

    it('should reject the session token itself', () => {
      expect(hasValidXsrfToken(fakeRequest({ headers: { 'X-XSRF-TOKEN': sessionToken } }), sessionToken)).toBe(false);
    });

    it('should reject a _csrf field that is not a string', () => {
      expect(hasValidXsrfToken(fakeRequest({ body: { _csrf: [xsrf] } }), sessionToken)).toBe(false);
    });
  });

  describe('when no value is presented', () => {
    it('should reject a request without header or body', () => {
      expect(hasValidXsrfToken(fakeRequest(), sessionToken)).toBe(false);
    });

    it('should reject a request whose body has no _csrf field', () => {
      expect(hasValidXsrfToken(fakeRequest({ body: { returnTo: '/' } }), sessionToken)).toBe(false);
    });

    it('should reject an empty header', () => {
      expect(hasValidXsrfToken(fakeRequest({ headers: { 'X-XSRF-TOKEN': '' } }), sessionToken)).toBe(false);
    });
  });
});
