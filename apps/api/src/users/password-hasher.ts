import argon2 from 'argon2';

/**
 * How hard a password hash is: `standard`, argon2id with the library's defaults (64 MiB, 3 passes,
 * 4 lanes: about 150 ms and a quarter of a CPU-second here), or `fast` (1 MiB, 1 pass, 1 lane), which
 * `loadAppConfig` accepts only with NODE_ENV=test: the e2e suites sign in and register hundreds of
 * times and start the app some 170 times, and every one of those hashes held both CPUs of a
 * 2-core CI machine.
 */
export type PasswordHashing = 'standard' | 'fast';

const OPTIONS: Record<PasswordHashing, argon2.HashOptions & { raw?: false }> = {
  standard: { type: argon2.argon2id },
  fast: { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 },
};

/** argon2id hashes of passwords, with the cost the app was configured with. */
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { raw?: false };
  /** A real hash of the same cost, verified against when the email is unknown so both paths take the same time. */
  private dummy: Promise<string> | undefined;

  constructor(hashing: PasswordHashing) {
    this.options = OPTIONS[hashing];
  }

  /** Makes the hash unknown emails are verified against now, so the first of them costs what the rest do. */
  prepareForUnknownEmails(): void {
    void this.dummyHash();
  }

  /** argon2id hash of a password. */
  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  /** Verifies a password against a hash; with no hash, spends the same time and returns false. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    try {
      if (hash === null) {
        await argon2.verify(await this.dummyHash(), password);
        return false;
      }
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  private dummyHash(): Promise<string> {
    return (this.dummy ??= this.hash('signoff-dummy-password-for-timing'));
  }
}
