import { createHash } from 'node:crypto';
import { constantTimeEquals, generateSessionToken, hashSessionToken, isWellFormedSessionToken, xsrfTokenFor } from './session-token.js';

describe('generateSessionToken', () => {
  describe('when a token is generated', () => {
    it('should be 43 base64url characters', () => {
      expect(generateSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('should decode to 32 random bytes', () => {
      expect(Buffer.from(generateSessionToken(), 'base64url')).toHaveLength(32);
    });
  });

  describe('when many tokens are generated', () => {
    it('should never repeat one in 10,000', () => {
      const tokens = new Set(Array.from({ length: 10_000 }, () => generateSessionToken()));

      expect(tokens.size).toBe(10_000);
    });
  });
});

describe('hashSessionToken', () => {
  describe('when a token is hashed', () => {
    it('should return the 32-byte SHA-256 of its UTF-8 text', () => {
      const token = generateSessionToken();
      const hash = hashSessionToken(token);

      expect(hash).toHaveLength(32);
      expect(hash.equals(createHash('sha256').update(token, 'utf8').digest())).toBe(true);
    });

    it('should differ from the hash of another token', () => {
      expect(hashSessionToken(generateSessionToken()).equals(hashSessionToken(generateSessionToken()))).toBe(false);
    });
  });
});

describe('isWellFormedSessionToken', () => {
  describe('when given a token we issue', () => {
    it('should accept it', () => {
      expect(isWellFormedSessionToken(generateSessionToken())).toBe(true);
    });
  });

  describe('when given SQL-ish strings', () => {
    it.each(["' OR 1=1 --", "x'; DROP TABLE auth_sessions; --", `${'a'.repeat(38)}' --`, `${'a'.repeat(40)}%27`])('should reject %j', (value) => {
      expect(isWellFormedSessionToken(value)).toBe(false);
    });
  });

  describe('when the length or alphabet is wrong', () => {
    it.each([
      ['empty', ''],
      ['42 characters', 'a'.repeat(42)],
      ['44 characters', 'a'.repeat(44)],
      ['base64 padding', `${'a'.repeat(42)}=`],
      ['standard base64 characters', `${'a'.repeat(41)}+/`],
      ['a trailing newline', `${'a'.repeat(43)}\n`],
    ])('should reject %s', (_label, value) => {
      expect(isWellFormedSessionToken(value)).toBe(false);
    });
  });

  describe('when given something that is not a string', () => {
    it.each([undefined, null, 42, {}, ['a'.repeat(43)], Buffer.from('a'.repeat(43))])('should reject %p', (value) => {
      expect(isWellFormedSessionToken(value)).toBe(false);
    });
  });
});

describe('xsrfTokenFor', () => {
  describe('when called twice for one session token', () => {
    it('should return the same value', () => {
      const token = generateSessionToken();

      expect(xsrfTokenFor(token)).toBe(xsrfTokenFor(token));
    });
  });

  describe('when called for two session tokens', () => {
    it('should return different values', () => {
      expect(xsrfTokenFor(generateSessionToken())).not.toBe(xsrfTokenFor(generateSessionToken()));
    });
  });

  describe('when a value is returned', () => {
    it('should not reveal the session token', () => {
      const token = generateSessionToken();

      expect(xsrfTokenFor(token)).not.toContain(token);
      expect(xsrfTokenFor(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });
  });
});

describe('constantTimeEquals', () => {
  describe('when the strings are equal', () => {
    it('should return true', () => {
      expect(constantTimeEquals('same-value', 'same-value')).toBe(true);
    });
  });

  describe('when the strings differ with the same length', () => {
    it('should return false', () => {
      expect(constantTimeEquals('value-a', 'value-b')).toBe(false);
    });
  });

  describe('when the strings differ in length', () => {
    it.each([
      ['abc', 'abcd'],
      ['', 'a'],
      ['abcd', 'abc'],
    ])('should return false for %j and %j', (a, b) => {
      expect(constantTimeEquals(a, b)).toBe(false);
    });
  });
});
