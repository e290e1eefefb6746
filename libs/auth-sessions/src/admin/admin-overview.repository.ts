import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuthTables, DEFAULT_AUTH_TABLES } from '../common/auth-tables.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

// The overview's SQL, exported for the test kit's adminStatementsForTest(), so bench/admin-overview.bench.ts
// times and explains exactly these statements. Each one reads an index sized by what it counts, never the whole history:
//   - active now: the open rows only (ended_at IS NULL), by the guard's rule, with the user's epoch
//     joined once rather than looked up per row;
//   - open rows: an index-only count over a partial index on ended_at IS NULL;
//   - sign-ins and sign-outs per day: index-only scans over a range of days of created_at and of
//     ended_at (end_reason included in that index), added by the 1767657600000 migration; the service
//     asks for the 29 closed days rarely (they are cached) and for today on every call;
//   - the latest revocations: one short backward scan of the (type, seq) audit index per type.

/** $1 now → (type, place, sessions) for every active session. */
export function activeByDeviceAndPlaceSql(tables: AuthTables = DEFAULT_AUTH_TABLES): string {
  return `SELECT s.device_type AS type, s.location AS place, count(*)::int AS sessions
            FROM ${tables.sessions} s
            LEFT JOIN ${tables.userSessionState} st ON st.user_id = s.user_id
           WHERE s.ended_at IS NULL
             AND s.epoch >= COALESCE(st.epoch, 0)
             AND s.absolute_expires_at > $1
             AND s.last_active_at + s.idle_seconds * interval '1 second' > $1
           GROUP BY 1, 2`;
}

/** → (open): sessions not ended yet (idle-expired ones count until the expiry sweep ends them). */
export function openSessionsSql(tables: AuthTables = DEFAULT_AUTH_TABLES): string {
  return `SELECT count(*)::int AS open FROM ${tables.sessions} WHERE ended_at IS NULL`;
}

/** $1 from, $2 until (excluded) → (day, sessions) signed in per UTC day. */
export function signInsByDaySql(tables: AuthTables = DEFAULT_AUTH_TABLES): string {
  return `SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, count(*)::int AS sessions
            FROM ${tables.sessions}
           WHERE created_at >= $1 AND created_at < $2
           GROUP BY (created_at AT TIME ZONE 'UTC')::date`;
}

/** $1 from, $2 until (excluded) → (day, reason, sessions) ended per UTC day and reason. */
export function signOutsByDaySql(tables: AuthTables = DEFAULT_AUTH_TABLES): string {
  return `SELECT to_char((ended_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, end_reason AS reason, count(*)::int AS sessions
            FROM ${tables.sessions}
           WHERE ended_at >= $1 AND ended_at < $2
           GROUP BY (ended_at AT TIME ZONE 'UTC')::date, end_reason`;
}

// Deliberate revocations: a user's or admin's, a sign-out everywhere (any cause), a filter. Sessions
// replaced by a new sign-in and the per-session events of a filter run are left out.
const REVOCATION_ARMS = [
  `e.type = 'session_revoked' AND e.reason IN ('revoked_by_admin', 'revoked_by_user') AND NOT (e.metadata ? 'byFilter')`,
  `e.type = 'logout_everywhere'`,
  `e.type = 'sessions_revoked_by_filter'`,
];

/** $1 limit → the latest revocations, newest first. */
export function recentRevocationsSql(tables: AuthTables = DEFAULT_AUTH_TABLES): string {
  const arm = (condition: string) =>
    `(SELECT e.seq, e.id, e.type, e.at, e.actor_id, e.actor_email, e.user_id, e.reason, e.note, e.metadata
        FROM ${tables.auditEvents} e WHERE ${condition} ORDER BY e.seq DESC LIMIT $1)`;
  return `SELECT r.id::text AS id, r.type, r.at, r.actor_id::text AS actor_id, r.actor_email, r.user_id::text AS user_id,
                 r.reason, r.note, r.metadata
            FROM (${REVOCATION_ARMS.map(arm).join(' UNION ALL ')}) r
           ORDER BY r.seq DESC
           LIMIT $1`;
}

/** Sessions signed in on one UTC day (`YYYY-MM-DD`). */
export interface DayCount {
  day: string;
  sessions: number;
}

/** Sessions ended on one UTC day for one reason. */
export interface DayReasonCount extends DayCount {
  reason: string;
}

export interface RevocationRow {
  id: string;
  type: string;
  at: Date;
  actor_id: string | null;
  actor_email: string | null;
  user_id: string | null;
  reason: string | null;
  note: string | null;
  metadata: Record<string, unknown>;
}

/** The admin overview's reads; see the SQL functions above for the index each one follows. */
@Injectable()
export class AdminOverviewRepository {
  // Raw SQL names the tables in the DataSource's schema when the host sets one.
  private readonly tables: AuthTables;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.tables = AuthTables.of(dataSource);
  }

  activeByDeviceAndPlace(now: Date): Promise<Array<{ type: string; place: string | null; sessions: number }>> {
    return this.dataSource.query(activeByDeviceAndPlaceSql(this.tables), [now]);
  }

  async openSessions(): Promise<number> {
    const rows: Array<{ open: number }> = await this.dataSource.query(openSessionsSql(this.tables));
    return Number(rows[0]?.open ?? 0);
  }

  signInsByDay(from: Date, until: Date): Promise<DayCount[]> {
    return this.dataSource.query(signInsByDaySql(this.tables), [from, until]);
  }

  signOutsByDay(from: Date, until: Date): Promise<DayReasonCount[]> {
    return this.dataSource.query(signOutsByDaySql(this.tables), [from, until]);
  }

  recentRevocations(limit: number): Promise<RevocationRow[]> {
    return this.dataSource.query(recentRevocationsSql(this.tables), [limit]);
  }
}
