import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  it.each([
    ['standard', 'm=65536,p=4,t=3'],
    ['fast', 'm=1024,p=1,t=1'],
  ] as const)('should hash with argon2id at the %s cost, and verify only the right password', async (hashing, parameters) => {
    const passwords = new PasswordHasher(hashing);
    const hash = await passwords.hash('correct horse battery staple');
    expect(hash).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$${parameters}\\$`));
    await expect(passwords.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(passwords.verify(hash, 'correct horse battery stapler')).resolves.toBe(false);
  });

  it('should verify a hash made at the other cost (the cost travels with the hash)', async () => {
    const made = await new PasswordHasher('standard').hash('pw');
    await expect(new PasswordHasher('fast').verify(made, 'pw')).resolves.toBe(true);
  });

  it('should answer false for an unknown email (no hash) and for a malformed hash, never throw', async () => {
    const passwords = new PasswordHasher('fast');
    await expect(passwords.verify(null, 'anything')).resolves.toBe(false);
    await expect(passwords.verify('not a hash', 'anything')).resolves.toBe(false);
  });
});
