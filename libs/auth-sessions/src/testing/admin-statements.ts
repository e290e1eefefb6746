import { activeByDeviceAndPlaceSql, openSessionsSql, recentRevocationsSql, signInsByDaySql, signOutsByDaySql } from '../admin/admin-overview.repository.js';
import { sessionStatsSql } from '../admin/admin-sessions.repository.js';
import { AuthTables } from '../common/auth-tables.js';

/**
 * The SQL behind the admin screens, each statement exactly as the library sends it, for checking its plan
 * (`EXPLAIN (ANALYZE, BUFFERS) …`) on a database at your scale. The text follows the library's migrations and
 * may change with any release: explain it, never build a query on it.
 */
export interface AdminStatementsForTest {
  /** The admin users list (`GET admin/users`): the sessions of one page of users. `$1` the page's user ids (`uuid[]`), `$2` now. */
  readonly userPageSessions: string;
  /** The overview (`GET admin/overview`): active sessions by device type and place. `$1` now. */
  readonly activeByDeviceAndPlace: string;
  /** The overview: sessions not ended yet. No parameter. */
  readonly openSessions: string;
  /** The overview: sign-ins per UTC day. `$1` the first instant counted, `$2` the first one not counted. */
  readonly signInsByDay: string;
  /** The overview: sign-outs per UTC day and reason. `$1` the first instant counted, `$2` the first one not counted. */
  readonly signOutsByDay: string;
  /** The overview: the latest deliberate revocations, newest first. `$1` how many. */
  readonly recentRevocations: string;
}

/**
 * The statements of the admin users list and the admin overview, with the library's tables qualified by
 * `schema` when your DataSource sets one (as the library qualifies them then).
 */
export function adminStatementsForTest(options: { schema?: string } = {}): AdminStatementsForTest {
  const tables = new AuthTables(options.schema);
  return {
    userPageSessions: sessionStatsSql(tables),
    activeByDeviceAndPlace: activeByDeviceAndPlaceSql(tables),
    openSessions: openSessionsSql(tables),
    signInsByDay: signInsByDaySql(tables),
    signOutsByDay: signOutsByDaySql(tables),
    recentRevocations: recentRevocationsSql(tables),
  };
}
