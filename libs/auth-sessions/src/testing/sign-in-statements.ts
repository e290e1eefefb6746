import { AuthTables } from '../common/auth-tables.js';
import { recentSignInIpsSql } from '../sessions/session.repository.js';

/** The statements the library's sign-in runs besides the session's own, for checking their plans (`EXPLAIN`) in your database. */
export interface SignInStatementsForTest {
  /** The per-account limit's familiar places: the IPs of a user's open sessions and of those ended lately. `$1` user id, `$2` since, `$3` how many places (distinct IPs), most recent first. */
  readonly recentSignInIps: string;
}

/**
 * The statements of the sign-in path, with the library's tables qualified by `schema` when your
 * DataSource sets one (as the library qualifies them then).
 */
export function signInStatementsForTest(options: { schema?: string } = {}): SignInStatementsForTest {
  return { recentSignInIps: recentSignInIpsSql(new AuthTables(options.schema)) };
}
