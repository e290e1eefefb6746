import type { AuthUsersProvider } from './users-provider.js';

/**
 * A users provider with every method the module's options require, for unit tests that build
 * options but never reach the users: nobody exists, no password verifies. (Test support: kept out
 * of the build and the package.)
 */
export const NO_USERS: AuthUsersProvider = {
  findById: () => Promise.resolve(null),
  findByEmail: () => Promise.resolve(null),
  verifyPassword: () => Promise.resolve(false),
  changePassword: () => Promise.resolve(),
  changeEmail: () => Promise.resolve(),
  search: () => Promise.resolve({ items: [], total: 0 }),
};
