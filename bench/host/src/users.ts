import type { AuthUsersProvider, SignoffUser, SignoffUserPage } from '@signoff/auth-sessions';

export const BENCH_PASSWORD = 'benchmark password 1';
const EMAIL = /^bench-(\d{1,9})@example\.com$/;
const ID = /^00000000-0000-4000-8000-([0-9a-f]{12})$/;

/** User n of the benchmark: the same id in every instance, no table needed. */
export function benchUser(n: number): SignoffUser {
  return { id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, email: `bench-${n}@example.com`, roles: [] };
}

/**
 * The host's users for the benchmark: `bench-<n>@example.com` exists for every n, with one
 * password. Lookups cost what a host's cached user lookup would (no I/O), so the comparison
 * measures the guards, not a users table.
 */
export class BenchUsers implements AuthUsersProvider {
  async findById(id: string): Promise<SignoffUser | null> {
    const match = ID.exec(id);
    return match ? benchUser(parseInt(match[1], 16)) : null;
  }

  async findByEmail(email: string): Promise<SignoffUser | null> {
    const match = EMAIL.exec(email.toLowerCase());
    return match ? benchUser(Number(match[1])) : null;
  }

  async verifyPassword(user: SignoffUser | null, password: string): Promise<boolean> {
    return user !== null && password === BENCH_PASSWORD;
  }

  async changePassword(): Promise<void> {
    throw new Error('The benchmark host does not change passwords.');
  }

  async changeEmail(): Promise<void> {
    throw new Error('The benchmark host does not change emails.');
  }

  async search(query: { page: number; pageSize: number }): Promise<SignoffUserPage> {
    const first = (query.page - 1) * query.pageSize + 1;
    return { items: Array.from({ length: query.pageSize }, (_, i) => benchUser(first + i)), total: 1_000_000 };
  }
}
