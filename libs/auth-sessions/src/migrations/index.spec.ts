import { LIBRARY_MIGRATION_PREFIX } from '../library-schema.check.js';
import { AUTH_SESSIONS_MIGRATIONS } from './index.js';

/** The migrations released before the prefix: their names are in databases already, and stay. */
const NAMED_BEFORE_THE_PREFIX = [
  'CreateAuthSessions1767225600000',
  'AddRefreshTokens1767312000000',
  'AddOutbox1767330000000',
  'AddAuditChain1767398400000',
  'SecureAuditPrune1767484800000',
  'PinAuditFunctionSearchPath1767571200000',
  'AddSessionLocationAndOverviewIndexes1767657600000',
  'AddSingleSignOn1767744000000',
];

describe('AUTH_SESSIONS_MIGRATIONS', () => {
  const names = AUTH_SESSIONS_MIGRATIONS.map((migration) => new migration().name ?? migration.name);

  it('should keep the released names, in order, and name every later migration with the library prefix (a rollback can then tell them)', () => {
    expect(names.slice(0, NAMED_BEFORE_THE_PREFIX.length)).toEqual(NAMED_BEFORE_THE_PREFIX);
    for (const name of names.slice(NAMED_BEFORE_THE_PREFIX.length)) expect(name).toMatch(new RegExp(`^${LIBRARY_MIGRATION_PREFIX}[A-Z]\\w*\\d{13}$`));
    expect(names.filter((name) => name.startsWith(LIBRARY_MIGRATION_PREFIX) && !NAMED_BEFORE_THE_PREFIX.includes(name))).toHaveLength(
      names.length - NAMED_BEFORE_THE_PREFIX.length,
    );
  });
});
