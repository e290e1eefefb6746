import argon2 from 'argon2';

// A real hash to verify against when the email is unknown, so both paths cost the same time.
const DUMMY_HASH = argon2.hash('signoff-dummy-password-for-timing', { type: argon2.argon2id });

/** argon2id hash of a password. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** Verifies a password against a hash; with no hash, spends the same time and returns false. */
export async function verifyPasswordHash(hash: string | null, password: string): Promise<boolean> {
  try {
    if (hash === null) {
      await argon2.verify(await DUMMY_HASH, password);
      return false;
    }
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
