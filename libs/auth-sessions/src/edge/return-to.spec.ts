import { safeReturnTo } from './return-to.js';

const ORIGIN = 'https://app.example.com';
const FALLBACK = '/login?logged_out=1';

// What a browser does with the Location header: resolve it against the page it came from.
function originAfterRedirect(location: string): string {
  return new URL(location, `${ORIGIN}/api/auth/logout`).origin;
}

describe('safeReturnTo', () => {
  describe('when returnTo is a relative path on this origin', () => {
    it('should keep the path, query and fragment', () => {
      expect(safeReturnTo('/devices?x=1#a', ORIGIN, FALLBACK)).toBe('/devices?x=1#a');
    });

    it('should accept a path of exactly 2048 characters', () => {
      const path = `/${'a'.repeat(2047)}`;

      expect(safeReturnTo(path, ORIGIN, FALLBACK)).toBe(path);
    });

    it('should keep an encoded slash inside a single segment on this origin', () => {
      const result = safeReturnTo('/files/a%2Fb', ORIGIN, FALLBACK);

      expect(result).toBe('/files/a%2Fb');
      expect(originAfterRedirect(result)).toBe(ORIGIN);
    });
  });

  describe('when returnTo would leave the origin', () => {
    it.each([
      'https://evil.example',
      'http://app.example.com.evil.example/',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'https:evil.example',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '%2F%2Fevil.example',
      // Falls back rather than trusting every hop after us not to decode %2F into `//`.
      '/%2F%2Fevil.example',
      '/%5Cevil.example',
      'https://app@evil.example',
      'https://app.example.com@evil.example',
    ])('should fall back for %j', (returnTo) => {
      expect(safeReturnTo(returnTo, ORIGIN, FALLBACK)).toBe(FALLBACK);
    });
  });

  describe('when returnTo normalises to a scheme-relative URL', () => {
    it.each(['/..//evil.example', '/.//evil.example', '/%2e%2e//evil.example', '/a/..//evil.example'])(
      'should never redirect off the origin for %j',
      (returnTo) => {
        const result = safeReturnTo(returnTo, ORIGIN, FALLBACK);

        expect(originAfterRedirect(result)).toBe(ORIGIN);
      },
    );
  });

  describe('when returnTo is not a usable string', () => {
    it.each([
      ['an empty string', ''],
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['an object', { toString: () => '/devices' }],
      ['an array', ['/devices']],
      ['an over-long path', `/${'a'.repeat(2048)}`],
      ['malformed percent-encoding', '/%E0%A4%A'],
    ])('should fall back for %s', (_label, returnTo) => {
      expect(safeReturnTo(returnTo, ORIGIN, FALLBACK)).toBe(FALLBACK);
    });
  });

  describe('when returnTo holds control characters', () => {
    it.each([
      ['CR LF', '/devices\r\nSet-Cookie: sid=x'],
      ['a tab', '/\t/evil.example'],
      ['a NUL', '/devices\u0000'],
      ['DEL', '/devices\u007f'],
      ['encoded CR LF', '/devices%0d%0aSet-Cookie:%20sid=x'],
      ['an encoded tab', '/%09/evil.example'],
    ])('should fall back for %s', (_label, returnTo) => {
      expect(safeReturnTo(returnTo, ORIGIN, FALLBACK)).toBe(FALLBACK);
    });
  });
});
