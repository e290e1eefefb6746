import { SealedBox } from './sealed-box.js';

const SECRET = 'a-client-secret-of-some-length';
const ISSUER = 'https://login.example.com';

describe('SealedBox', () => {
  it('should open what it sealed, and nothing of it is readable', async () => {
    const box = new SealedBox(SECRET, ISSUER, 'logout-hint');
    const sealed = await box.seal({ idToken: 'eyJhbGciOiJSUzI1NiJ9.secret-claims.sig' });
    expect(sealed).not.toContain('secret-claims');
    expect(await box.open(sealed)).toEqual({ idToken: 'eyJhbGciOiJSUzI1NiJ9.secret-claims.sig' });
  });

  it('should open nothing sealed for another purpose, issuer or secret, nor anything tampered', async () => {
    const sealed = await new SealedBox(SECRET, ISSUER, 'sign-in-state').seal({ state: 's' });
    expect(await new SealedBox(SECRET, ISSUER, 'logout-state').open(sealed)).toBeNull();
    expect(await new SealedBox(SECRET, 'https://other.example', 'sign-in-state').open(sealed)).toBeNull();
    expect(await new SealedBox(`${SECRET}x`, ISSUER, 'sign-in-state').open(sealed)).toBeNull();
    const parts = sealed.split('.');
    parts[3] = `${parts[3].slice(0, -2)}${parts[3].endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await new SealedBox(SECRET, ISSUER, 'sign-in-state').open(parts.join('.'))).toBeNull();
    expect(await new SealedBox(SECRET, ISSUER, 'sign-in-state').open(undefined)).toBeNull();
    expect(await new SealedBox(SECRET, ISSUER, 'sign-in-state').open('not.a.jwe')).toBeNull();
  });
});
