import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { activePredicate, type SessionEnd } from '../sessions/session.repository.js';
import { containsPattern, type RevokeFilter } from './revoke-filter.js';

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
export function sessionStatsSql(): string {
  return `SELECT t.user_id::text AS user_id,
                 count(*) FILTER (WHERE t.active)::int AS active_sessions,
                 max(t.last_active_at) AS last_active_at
            FROM (SELECT s.user_id, s.last_active_at, (${activePredicate('$2')}) AS active
                    FROM auth_sessions s
                   WHERE s.user_id = ANY($1::uuid[]) AND s.ended_at IS NULL
                  UNION ALL
                  SELECT s.user_id, s.last_active_at, false
                    FROM auth_sessions s
                   WHERE s.user_id = ANY($1::uuid[]) AND s.ended_at IS NOT NULL) t
           GROUP BY t.user_id`;
}

/** SQL for the admin API's reads and bulk revocations across users. */
@Injectable()
export class AdminSessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Session counts and last activity of these users, in one query; users without sessions are absent from the map. */
  async sessionStats(userIds: string[], now: Date): Promise<Map<string, UserSessionStats>> {
    if (userIds.length === 0) return new Map();
    const rows: Array<{ user_id: string; active_sessions: number; last_active_at: Date | null }> = await this.dataSource.query(
      sessionStatsSql(),
      [userIds, now],
    );
    return new Map(rows.map((row) => [row.user_id, { activeSessions: Number(row.active_sessions), lastActiveAt: row.last_active_at }]));
  }

  /** How many active sessions match the filter, leaving out `exceptSessionId`. */
  async countMatching(filter: RevokeFilter, exceptSessionId: string, now: Date): Promise<number> {
    const parameters: unknown[] = [now, exceptSessionId];
    const rows: Array<{ count: string }> = await this.dataSource.query(
      `SELECT count(*)::text AS count FROM auth_sessions s
        WHERE s.id <> $2::uuid AND ${filterConditions(filter, parameters)} AND ${activePredicate('$1')}`,
      parameters,
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * Revokes every active session matching the filter except `exceptSessionId`, with their refresh
   * tokens, in the caller's transaction. Returns the sessions it ended (none when nothing matched).
   */
  async revokeMatching(filter: RevokeFilter, exceptSessionId: string, end: SessionEnd, manager: EntityManager): Promise<Array<{ id: string; userId: string }>> {
    const parameters: unknown[] = [end.at, exceptSessionId, end.reason, end.byId, end.byEmail];
    const result: unknown = await manager.query(
      `WITH ended AS (
         UPDATE auth_sessions s
            SET ended_at = $1, end_reason = $3, ended_by_id = $4, ended_by_email = $5
          WHERE s.id <> $2::uuid AND ${filterConditions(filter, parameters)} AND ${activePredicate('$1')}
          RETURNING s.id, s.user_id),
       revoked_refresh_tokens AS (
         UPDATE auth_refresh_tokens r SET revoked_at = $1
           FROM ended WHERE r.session_id = ended.id AND r.revoked_at IS NULL)
       SELECT id::text AS id, user_id::text AS user_id FROM ended`,
      parameters,
    );
    return returnedRows(result).map((row) => ({ id: String(row['id']), userId: String(row['user_id']) }));
  }
}

// Appends the filter's values to `parameters` and returns the matching SQL condition.
function filterConditions(filter: RevokeFilter, parameters: unknown[]): string {
  const conditions: string[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown): void => {
    parameters.push(value);
    conditions.push(sql(`$${parameters.length}`));
  };
  if (filter.ip !== undefined) add((p) => `s.ip = ${p}`, filter.ip);
  if (filter.userAgentContains !== undefined) add((p) => `s.user_agent ILIKE ${p} ESCAPE '\\'`, containsPattern(filter.userAgentContains));
  if (filter.createdBefore) add((p) => `s.created_at < ${p}`, filter.createdBefore);
  if (filter.lastActiveBefore) add((p) => `s.last_active_at < ${p}`, filter.lastActiveBefore);
  if (filter.userIds) add((p) => `s.user_id = ANY(${p}::uuid[])`, filter.userIds);
  // Callers refuse an empty filter; this keeps a mistake from ever meaning "every session".
  return conditions.length > 0 ? conditions.join(' AND ') : 'FALSE';
}

// TypeORM's postgres driver answers UPDATE ... RETURNING through query() as [rows, affectedCount].
function returnedRows(result: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as Array<Record<string, unknown>>;
  }
  return result as Array<Record<string, unknown>>;
}
