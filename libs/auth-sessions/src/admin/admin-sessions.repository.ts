import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuthTables, DEFAULT_AUTH_TABLES } from '../common/auth-tables.js';
import { activePredicate } from '../sessions/session.repository.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

/** A user's sessions in numbers, for the admin user list. */
export interface UserSessionStats {
  activeSessions: number;
  /** The latest activity of any of the user's sessions, ended ones included; null when the user has none. */
  lastActiveAt: Date | null;
}

/**
 * The aggregate behind the admin user list: $1 the page's user ids, $2 now. Each arm follows one of
 * the partial indexes on (user_id, ...) (open and ended rows), so a page costs the same with a
 * million sessions in the table; `last_active_at` stays out of every index so its writes stay HOT.
 */
export function sessionStatsSql(tables: AuthTables = DEFAULT_AUTH_TABLES): string {
  return `SELECT t.user_id::text AS user_id,
                 count(*) FILTER (WHERE t.active)::int AS active_sessions,
                 max(t.last_active_at) AS last_active_at
            FROM (SELECT s.user_id, s.last_active_at, (${activePredicate('$2', tables)}) AS active
                    FROM ${tables.sessions} s
                   WHERE s.user_id = ANY($1::uuid[]) AND s.ended_at IS NULL
                  UNION ALL
                  SELECT s.user_id, s.last_active_at, false
                    FROM ${tables.sessions} s
                   WHERE s.user_id = ANY($1::uuid[]) AND s.ended_at IS NOT NULL) t
           GROUP BY t.user_id`;
}

/** SQL for the admin API's reads across users. */
@Injectable()
export class AdminSessionsRepository {
  private readonly statsSql: string;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.statsSql = sessionStatsSql(AuthTables.of(dataSource));
  }

  /** Session counts and last activity of these users, in one query; users without sessions are absent from the map. */
  async sessionStats(userIds: string[], now: Date): Promise<Map<string, UserSessionStats>> {
    if (userIds.length === 0) return new Map();
    const rows: Array<{ user_id: string; active_sessions: number; last_active_at: Date | null }> = await this.dataSource.query(this.statsSql, [userIds, now]);
    return new Map(rows.map((row) => [row.user_id, { activeSessions: Number(row.active_sessions), lastActiveAt: row.last_active_at }]));
  }
}
