import { FormControl } from '@angular/forms';
import { EMAIL_MAX_LENGTH, emailAddress } from './email-address';

function check(value: string | null) {
  return emailAddress(new FormControl(value));
}

describe('emailAddress', () => {
  it.each(['ada@example.com', 'chloé.dupont@exemple.fr', '张伟@例子.中国', 'dmitri.ivanov@пример.рф', 'سارة@مثال.السعودية', 'a+tag@localhost'])(
    'should accept %s',
    (value) => {
      expect(check(value)).toBeNull();
    },
  );

  it('should leave an empty value to Validators.required', () => {
    expect(check('')).toBeNull();
    expect(check(null)).toBeNull();
  });

  it.each([
    'ada',
    'ada@',
    '@example.com',
    'ada@@example.com',
    'a@b@example.com',
    'ada lovelace@example.com',
    'ada@example.com ',
    'ada@exam\u00a0ple.com',
    'ada@例子\u3000中国',
  ])('should refuse %j', (value) => {
    expect(check(value)).toEqual({ email: true });
  });

  it(`should refuse an address longer than ${EMAIL_MAX_LENGTH} characters`, () => {
    const domain = '@example.com';
    expect(check('a'.repeat(EMAIL_MAX_LENGTH - domain.length) + domain)).toBeNull();
    expect(check('a'.repeat(EMAIL_MAX_LENGTH - domain.length + 1) + domain)).toEqual({ email: true });
  });
});
