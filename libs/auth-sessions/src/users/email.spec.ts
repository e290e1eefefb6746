import { isSameEmail, normalizeEmail } from './email.js';

const COMPOSED = 'caf\u00e9@example.com';
const DECOMPOSED = 'cafe\u0301@example.com';

describe('normalizeEmail', () => {
  describe('when the address holds a decomposed accent', () => {
    it('should return the composed form (NFC), so both spellings are one string', () => {
      expect(normalizeEmail(DECOMPOSED)).toBe(COMPOSED);
      expect(normalizeEmail(COMPOSED)).toBe(COMPOSED);
    });
  });

  describe('when the address has capitals', () => {
    it('should keep them: hosts compare case-insensitively and show what the user typed', () => {
      expect(normalizeEmail('Ada@Example.com')).toBe('Ada@Example.com');
    });
  });
});

describe('isSameEmail', () => {
  it('should treat two normal forms of one address as the same', () => {
    expect(isSameEmail(DECOMPOSED, COMPOSED)).toBe(true);
  });

  it('should ignore case, as the case-insensitive uniqueness check does', () => {
    expect(isSameEmail('CAF\u00c9@Example.com', DECOMPOSED)).toBe(true);
  });

  it('should tell different addresses apart', () => {
    expect(isSameEmail('cafe@example.com', COMPOSED)).toBe(false);
  });
});
