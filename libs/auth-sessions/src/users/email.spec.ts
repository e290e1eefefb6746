import { validate } from 'class-validator';
import { emailLookAlikeProblem, isSameEmail, IsUnambiguousEmail, normalizeEmail } from './email.js';

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

describe('emailLookAlikeProblem', () => {
  it.each([
    ['a zero-width space', 'ad\u200bmin@example.com', 'invisible'],
    ['a zero-width joiner', 'admin\u200d@example.com', 'invisible'],
    ['a right-to-left override', 'admin@exa\u202emple.com', 'invisible'],
    ['a soft hyphen', 'ad\u00admin@example.com', 'invisible'],
    ['a fullwidth letter', '\uff41dmin@example.com', 'fullwidth'],
    ['a ligature', 'of\ufb01ce@example.com', 'fullwidth'],
  ])('should refuse %s: the address reads as another', (_name, email, problem) => {
    expect(emailLookAlikeProblem(email)).toContain(problem);
  });

  it.each([
    ['plain ASCII', 'ada@example.com'],
    ['an accent, composed or not', DECOMPOSED],
    ['another script', 'пользователь@пример.рф'],
  ])('should accept %s', (_name, email) => {
    expect(emailLookAlikeProblem(email)).toBeNull();
  });
});

describe('IsUnambiguousEmail', () => {
  class Signup {
    @IsUnambiguousEmail()
    email!: string;
  }

  it('should fail validation with a message naming the property and the problem, and pass an ordinary address', async () => {
    const refused = await validate(Object.assign(new Signup(), { email: '\uff41dmin@example.com' }));
    expect(refused.map((error) => error.constraints)).toEqual([{ isUnambiguousEmail: 'email must not contain fullwidth or other compatibility characters' }]);
    expect(await validate(Object.assign(new Signup(), { email: 'admin@example.com' }))).toEqual([]);
  });
});
