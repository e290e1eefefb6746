import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthTables, DEFAULT_AUTH_TABLES } from '../common/auth-tables.js';
import { Session } from './session.entity.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import type { UserEpoch } from './session-state.js';
import { type SessionFilter, sessionFilterSql } from './session-filter.js';
import { UserSessionState } from './user-session-state.entity.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

/** What a revocation writes on the rows it ends: why, when and by whom. */
export interface RevocationStamp {
  reason: SessionEndReason;
  at: Date;
  byId: string | null;
  byEmail: string | null;
}

/** Which active sessions a revocation ends. */
export type SessionSelection =
  | { userId: string; sessionIds: string[] }
  | { userId: string; allSessions: true; exceptSessionId?: string | null }
  | { filter: SessionFilter; exceptSessionId: string };

/**
 * A write on every row a revocation ends, inside the revocation's own statement: given the name of
 * the rows (`id`, `user_id`) and the statement's parameters, returns the SQL of a data-modifying
 * statement and appends its values to the parameters.
 */
export type EndedRowsWriter = (ended: string, parameters: unknown[]) => string;

/** A session a revocation ended. */
export interface EndedSession {
  id: string;
  userId: string;
}

/** A session together with its user's epoch: everything `sessionStateAt` needs. */
export interface SessionWithEpoch {
  session: Session;
  userEpoch: UserEpoch;
}

// "Active" in SQL: the same rule as sessionStateAt, so lists, counts and revocations agree with the guard.
// `user` names the user when every row is one user's (a parameter such as `$5`): the epoch is then read
// once for the statement instead of once per row (at 100k sessions of one user, 90 ms against 57 ms).
export function activePredicate(now: string, tables: AuthTables = DEFAULT_AUTH_TABLES, user = 's.user_id'): string {
  return `s.ended_at IS NULL
    AND s.epoch >= COALESCE((SELECT st.epoch FROM ${tables.userSessionState} st WHERE st.user_id = ${user}), 0)
    AND s.absolute_expires_at > ${now}
    AND s.last_active_at + s.idle_seconds * interval '1 second' > ${now}`;
}

const TOUCH_INTERVAL_SECONDS = 60;

/** The only place with session SQL. Every method takes an optional manager to join a transaction. */
@Injectable()
export class SessionRepository {
  private readonly tables: AuthTables;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.tables = AuthTables.of(dataSource);
  }

  // One round trip: the session row and its user's epoch together.
  private async findWithEpoch(condition: string, parameters: Record<string, unknown>, manager: EntityManager): Promise<SessionWithEpoch | null> {
    const { entities, raw } = await manager
      .createQueryBuilder(Session, 's')
      .leftJoin(UserSessionState, 'st', 'st.user_id = s.user_id')
      .addSelect(['st.epoch', 'st.epochReason', 'st.updatedAt'])
      .where(condition, parameters)
      .getRawAndEntities<Record<string, unknown>>();
    const session = entities[0];
    return session ? { session, userEpoch: epochFromRaw(raw[0]) } : null;
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Whether `manager` is one of the library's DataSource (a host's own transaction must be, to write here). */
  owns(manager: EntityManager): boolean {
    return manager.connection === this.dataSource;
  }

  /** Finds the session whose token has this hash, with its user's epoch; `null` when none has it. */
  findByTokenHash(tokenHash: Buffer): Promise<SessionWithEpoch | null> {
    return this.findWithEpoch('s.token_hash = :tokenHash', { tokenHash }, this.dataSource.manager);
  }

  /** Finds a session by id with its user's epoch; `null` when there is none. */
  findById(sessionId: string, manager = this.dataSource.manager): Promise<SessionWithEpoch | null> {
    return this.findWithEpoch('s.id = :sessionId', { sessionId }, manager);
  }

  /** Finds one session of a user by id, active or not; `null` when the user has no such session. */
  async findForUser(userId: string, sessionId: string, manager = this.dataSource.manager): Promise<SessionWithEpoch | null> {
    const session = await manager.findOne(Session, { where: { id: sessionId, userId } });
    return session ? { session, userEpoch: await this.getUserEpoch(userId, manager) } : null;
  }

  /** Lists a user's active sessions and those ended since `endedSince`, newest activity first. */
  async listForUser(userId: string, endedSince: Date | null): Promise<SessionWithEpoch[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(Session, 's')
      .where('s.user_id = :userId', { userId })
      .orderBy('s.last_active_at', 'DESC')
      .limit(1000);
    if (endedSince) {
      query.andWhere('(s.ended_at IS NULL OR s.ended_at >= :endedSince)', { endedSince });
    } else {
      // Sessions an epoch bump ended stay open rows until the clean-up job marks them: leave them out here,
      // or a user who just logged out of 100k sessions everywhere would see the limit filled with them.
      query
        .andWhere('s.ended_at IS NULL')
        .andWhere(`s.epoch >= COALESCE((SELECT st.epoch FROM ${this.tables.userSessionState} st WHERE st.user_id = :userId), 0)`);
    }
    const [sessions, userEpoch] = await Promise.all([query.getMany(), this.getUserEpoch(userId)]);
    return sessions.map((session) => ({ session, userEpoch }));
  }

  /**
   * The IP addresses the user signed in from lately, each once: of their open sessions and of those
   * ended since `since`, at most `limit` addresses, most recently used first (the per-account sign-in
   * limit's familiar places; `recentSignInIpsSql`). Every such session counts, however many the user
   * has: a cap on sessions read let 200 newer ones (a script's) hide the owner's home.
   */
  async recentSignInIps(userId: string, since: Date, limit: number): Promise<string[]> {
    const rows: Array<{ ip: string }> = await this.dataSource.query(recentSignInIpsSql(this.tables), [userId, since, limit]);
    return rows.map((row) => row.ip);
  }

  /** The user's current epoch (0 and no reason when the user has never had one bumped). */
  async getUserEpoch(userId: string, manager = this.dataSource.manager): Promise<UserEpoch> {
    const state = await manager.findOne(UserSessionState, { where: { userId } });
    return { epoch: state?.epoch ?? 0, reason: state?.epochReason ?? null, changedAt: state?.updatedAt ?? null };
  }

  /** Inserts a new session. */
  async insert(session: Session, manager: EntityManager): Promise<void> {
    await manager.insert(Session, session);
  }

  /**
   * Records activity at most once a minute. Never touches an ended session, so a request that was in
   * flight during a logout cannot extend or revive it.
   */
  async touch(sessionId: string, now: Date): Promise<void> {
    await this.dataSource.manager
      .createQueryBuilder()
      .update(Session)
      .set({ lastActiveAt: now })
      .where('id = :sessionId AND ended_at IS NULL', { sessionId })
      .andWhere(`last_active_at < :threshold`, { threshold: new Date(now.getTime() - TOUCH_INTERVAL_SECONDS * 1000) })
      .execute();
  }

  /** Replaces the token (and optionally the freshness) of an active session and bumps its generation; false when it is not active. */
  async rotateToken(sessionId: string, tokenHash: Buffer, freshAt: Date | null, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Session)
      .set({ tokenHash, generation: () => 'generation + 1', ...(freshAt ? { freshAt } : {}) })
      .where('id = :sessionId AND ended_at IS NULL', { sessionId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Revokes the selected sessions that are still active (by the guard's rule), with their refresh
   * tokens, in one statement: in the caller's transaction, or alone when `manager` is the default.
   * `alsoWrite` adds a write on each ended row to that statement (their audit events). Returns the
   * sessions it ended; none when nothing matched.
   */
  async revoke(
    selection: SessionSelection,
    stamp: RevocationStamp,
    manager: EntityManager = this.dataSource.manager,
    alsoWrite?: EndedRowsWriter,
  ): Promise<EndedSession[]> {
    const parameters: unknown[] = [stamp.at, stamp.reason, stamp.byId, stamp.byEmail];
    let condition: string;
    let user: string | undefined;
    if ('filter' in selection) {
      parameters.push(selection.exceptSessionId);
      condition = `s.id <> $5::uuid AND ${sessionFilterSql(selection.filter, parameters)}`;
    } else if ('sessionIds' in selection) {
      if (selection.sessionIds.length === 0) return [];
      parameters.push(selection.userId, selection.sessionIds);
      condition = 's.user_id = $5 AND s.id = ANY($6::uuid[])';
      user = '$5';
    } else {
      parameters.push(selection.userId, selection.exceptSessionId ?? null);
      condition = 's.user_id = $5 AND s.id IS DISTINCT FROM $6::uuid';
      user = '$5';
    }
    const result: unknown = await manager.query(
      `WITH ended AS (
         UPDATE ${this.tables.sessions} s
            SET ended_at = $1, end_reason = $2, ended_by_id = $3, ended_by_email = $4
          WHERE ${condition} AND ${activePredicate('$1', this.tables, user)}
          RETURNING s.id, s.user_id),
       revoked_refresh_tokens AS (
         UPDATE ${this.tables.refreshTokens} r SET revoked_at = $1
           FROM ended WHERE r.session_id = ended.id AND r.revoked_at IS NULL)${
             alsoWrite
               ? `,
       also_written AS (${alsoWrite('ended', parameters)})`
               : ''
           }
       SELECT id::text AS id, user_id::text AS user_id FROM ended`,
      parameters,
    );
    return returnedRows(result).map((row) => ({ id: String(row['id']), userId: String(row['user_id']) }));
  }

  /** How many active sessions match a filter, leaving out `exceptSessionId`. */
  async countMatching(filter: SessionFilter, exceptSessionId: string, now: Date): Promise<number> {
    const parameters: unknown[] = [now, exceptSessionId];
    const rows: Array<{ count: string }> = await this.dataSource.query(
      `SELECT count(*)::text AS count FROM ${this.tables.sessions} s
        WHERE s.id <> $2::uuid AND ${sessionFilterSql(filter, parameters)} AND ${activePredicate('$1', this.tables)}`,
      parameters,
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * Marks up to `limit` expired, still-open sessions as ended with their expiry reason and time.
   * Returns the rows it marked; concurrent sweepers skip each other's rows.
   *
   * A row an epoch bump ended is the clean-up job's, which knows the reason, for an hour after the
   * bump; past that and past its own deadline, the sweep marks it as the job would have (the bump's
   * reason at the bump, or its expiry if that came first). Such a row outlived the job when a sign-in
   * raced the bump: it read the old epoch and committed after the job had marked the user's rows.
   * Unmarked, it would stay open for ever, and the retention prune deletes only ended rows.
   */
  async expireDue(now: Date, limit: number, manager: EntityManager): Promise<Session[]> {
    const deadline = `LEAST(x.absolute_expires_at, x.last_active_at + x.idle_seconds * interval '1 second')`;
    const expiryReason = `CASE WHEN x.absolute_expires_at <= x.last_active_at + x.idle_seconds * interval '1 second' THEN 'expired_absolute' ELSE 'expired_idle' END`;
    // When a superseded row stopped being usable: at the bump, or at its own opening if it opened after it.
    const supersededAt = 'GREATEST(st.updated_at, x.created_at)';
    const result: unknown = await manager.query(
      `UPDATE ${this.tables.sessions} s
          SET ended_at = due.ended_at, end_reason = due.end_reason
         FROM (
          SELECT x.id,
                 CASE WHEN x.epoch < COALESCE(st.epoch, 0) THEN LEAST(${deadline}, ${supersededAt}) ELSE ${deadline} END AS ended_at,
                 CASE WHEN x.epoch < COALESCE(st.epoch, 0) AND ${deadline} > ${supersededAt} THEN COALESCE(st.epoch_reason, 'logout_everywhere') ELSE ${expiryReason} END AS end_reason
            FROM ${this.tables.sessions} x
            LEFT JOIN ${this.tables.userSessionState} st ON st.user_id = x.user_id
           WHERE x.ended_at IS NULL
             AND (x.absolute_expires_at <= $1 OR x.last_active_at + x.idle_seconds * interval '1 second' <= $1)
             -- Rows an epoch bump ended belong to the logout-everywhere job, which knows their reason, for its first hour.
             AND (x.epoch >= COALESCE(st.epoch, 0) OR st.updated_at <= $1::timestamptz - interval '1 hour')
           LIMIT $2
           FOR UPDATE OF x SKIP LOCKED) due
        WHERE s.id = due.id
        RETURNING s.id, s.user_id, s.end_reason, s.ended_at, s.ip, s.user_agent`,
      [now, limit],
    );
    return returnedRows(result).map((row) =>
      Object.assign(new Session(), {
        id: row['id'],
        userId: row['user_id'],
        endReason: row['end_reason'],
        endedAt: row['ended_at'],
        ip: row['ip'],
        userAgent: row['user_agent'],
      }),
    );
  }

  /**
   * Deletes up to `limit` sessions that ended before `cutoff`, oldest first, with their refresh tokens
   * (a token chain goes with its session, in one statement, so the foreign keys hold at its end). Rows
   * another transaction holds are skipped, left for the next batch or run. An open session is never
   * deleted, whatever its age: one an epoch bump ended is marked (`ended_at`) by the clean-up job first.
   */
  async deleteEndedBefore(cutoff: Date, limit: number, manager: EntityManager): Promise<{ sessions: number; refreshTokens: number }> {
    const rows: Array<{ sessions: string; refresh_tokens: string }> = await manager.query(
      `WITH doomed AS (
         SELECT id FROM ${this.tables.sessions}
          WHERE ended_at < $1
          ORDER BY ended_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED),
       tokens AS (
         DELETE FROM ${this.tables.refreshTokens} r USING doomed WHERE r.session_id = doomed.id RETURNING 1),
       sessions AS (
         DELETE FROM ${this.tables.sessions} s USING doomed WHERE s.id = doomed.id RETURNING 1)
       SELECT (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM tokens) AS refresh_tokens`,
      [cutoff, limit],
    );
    return { sessions: Number(rows[0]?.sessions ?? 0), refreshTokens: Number(rows[0]?.refresh_tokens ?? 0) };
  }

  /**
   * Deletes every session of a user, open or ended, with their refresh tokens, in the caller's
   * transaction (single sign-on logout hints cascade). The user's epoch row stays: a sign-in racing
   * the erasure opened its session in the old epoch, and reads as ended.
   *
   * Locks the tokens before the sessions, as a refresh does (its token, then its new token's key share
   * on the session): in the other order an erasure and a refresh racing it deadlock. A logout racing
   * it locks the other way (its session, then the tokens), and a refresh's new token can appear between
   * the two statements; either aborts the statement (deadlock, foreign key), which runs again from a
   * savepoint, so the caller's transaction carries on. For erasing a deleted user (`UserErasureService`).
   */
  async deleteAllOfUser(userId: string, manager: EntityManager): Promise<{ sessions: number; refreshTokens: number }> {
    for (let attempt = 1; ; attempt++) {
      await manager.query('SAVEPOINT signoff_delete_user_sessions');
      try {
        await manager.query(
          `SELECT count(*) FROM (
             SELECT 1 FROM ${this.tables.refreshTokens} r JOIN ${this.tables.sessions} s ON s.id = r.session_id WHERE s.user_id = $1 FOR UPDATE OF r) locked`,
          [userId],
        );
        const rows: Array<{ sessions: string; refresh_tokens: string }> = await manager.query(
          `WITH doomed AS (
             SELECT id FROM ${this.tables.sessions} WHERE user_id = $1 FOR UPDATE),
           tokens AS (
             DELETE FROM ${this.tables.refreshTokens} r USING doomed WHERE r.session_id = doomed.id RETURNING 1),
           sessions AS (
             DELETE FROM ${this.tables.sessions} s USING doomed WHERE s.id = doomed.id RETURNING 1)
           SELECT (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM tokens) AS refresh_tokens`,
          [userId],
        );
        await manager.query('RELEASE SAVEPOINT signoff_delete_user_sessions');
        return { sessions: Number(rows[0]?.sessions ?? 0), refreshTokens: Number(rows[0]?.refresh_tokens ?? 0) };
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT signoff_delete_user_sessions');
        if (attempt >= DELETE_USER_SESSIONS_ATTEMPTS || !isRetryableConflict(error)) throw error;
      }
    }
  }

  /**
   * Moves the user's epoch forward in the caller's transaction: from the commit on, every session
   * opened before it reads as ended with `reason`, on every instance. Returns the new epoch.
   */
  async bumpEpoch(userId: string, reason: SessionEndReason, at: Date, manager: EntityManager): Promise<number> {
    const rows: Array<{ epoch: number }> = await manager.query(
      `INSERT INTO ${this.tables.userSessionState} AS st (user_id, epoch, epoch_reason, updated_at) VALUES ($1, 1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE
         SET epoch = st.epoch + 1, epoch_reason = EXCLUDED.epoch_reason, updated_at = EXCLUDED.updated_at
       RETURNING epoch`,
      [userId, reason, at],
    );
    return Number(rows[0].epoch);
  }

  /** Counts the user's active sessions, leaving out `exceptSessionId` when given. */
  async countActiveForUser(userId: string, exceptSessionId: string | null, at: Date, manager: EntityManager): Promise<number> {
    // This count sits inside a revoke transaction that holds the user's row lock. For a user with many
    // sessions PostgreSQL picks plans that are slow here, so two planner settings hold for this one
    // statement (B3 at 100k sessions of one user in a 1M-row table):
    // - a parallel plan: on a few cores starting the workers costs more than they save (~3x slower);
    // - a plain index scan of the open sessions' deadline index, filtered by user: the deadline index
    //   follows the table's physical order, so the planner prefers it to the user's own index, and
    //   visits every open session in the table (447k entries, 30k pages, ~200 ms) instead of the
    //   user's (a bitmap scan of auth_sessions_user_active_idx: 2.6k pages, ~35 ms).
    // Both go back to the defaults before the transaction's next statement (the audit chain's
    // "latest row" lookup needs its index scan); if the count fails, the rollback undoes them.
    const inTransaction = manager.queryRunner?.isTransactionActive === true;
    if (inTransaction) await manager.query('SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL enable_indexscan = off');
    const rows: Array<{ count: string }> = await manager.query(
      `SELECT count(*) AS count FROM ${this.tables.sessions} s
        WHERE s.user_id = $1 AND s.id IS DISTINCT FROM $3::uuid AND ${activePredicate('$2', this.tables, '$1')}`,
      [userId, at, exceptSessionId],
    );
    if (inTransaction) await manager.query('SET LOCAL max_parallel_workers_per_gather TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT');
    return Number(rows[0].count);
  }

  /**
   * Carries a kept session into the user's new epoch, optionally with a new token (and a new
   * generation, which retires its access tokens); false when it is no longer active.
   */
  async adoptEpoch(sessionId: string, epoch: number, rotation: { tokenHash: Buffer; freshAt: Date } | null, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Session)
      .set(rotation ? { epoch, ...rotation, generation: () => 'generation + 1' } : { epoch })
      .where('id = :sessionId AND ended_at IS NULL', { sessionId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * The clean-up after an epoch bump: marks up to `limit` open sessions opened before `epoch` as
   * ended (with the bump's reason and author, or their expiry when they had expired before it) and revokes
   * their refresh tokens. Returns the ids it marked; none once everything is marked (idempotent).
   */
  async endBeforeEpoch(
    userId: string,
    epoch: number,
    stamp: { reason: SessionEndReason; at: Date; byId: string | null; byEmail: string | null },
    limit: number,
    manager: EntityManager,
  ): Promise<string[]> {
    const deadline = `LEAST(s.absolute_expires_at, s.last_active_at + s.idle_seconds * interval '1 second')`;
    const result: unknown = await manager.query(
      `WITH ended AS (
         UPDATE ${this.tables.sessions} s
            SET ended_at = CASE WHEN ${deadline} <= $3 THEN ${deadline} ELSE $3 END,
                end_reason = CASE
                  WHEN ${deadline} > $3 THEN $4
                  WHEN s.absolute_expires_at <= s.last_active_at + s.idle_seconds * interval '1 second' THEN 'expired_absolute'
                  ELSE 'expired_idle' END,
                ended_by_id = CASE WHEN ${deadline} > $3 THEN $6::uuid END,
                ended_by_email = CASE WHEN ${deadline} > $3 THEN $7 END
          WHERE s.id IN (
            SELECT id FROM ${this.tables.sessions}
             WHERE user_id = $1 AND ended_at IS NULL AND epoch < $2
             LIMIT $5 FOR UPDATE SKIP LOCKED)
          RETURNING s.id),
       revoked_refresh_tokens AS (
         UPDATE ${this.tables.refreshTokens} r SET revoked_at = $3
           FROM ended WHERE r.session_id = ended.id AND r.revoked_at IS NULL)
       SELECT id FROM ended`,
      [userId, epoch, stamp.at, stamp.reason, limit, stamp.byId, stamp.byEmail],
    );
    return returnedRows(result).map((row) => String(row['id']));
  }
}

// TypeORM's postgres driver answers UPDATE ... RETURNING through query() as [rows, affectedCount].
function returnedRows(result: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as Array<Record<string, unknown>>;
  }
  return result as Array<Record<string, unknown>>;
}

function epochFromRaw(raw: Record<string, unknown> | undefined): UserEpoch {
  return {
    epoch: Number(raw?.['st_epoch'] ?? 0),
    reason: (raw?.['st_epoch_reason'] as SessionEndReason | null | undefined) ?? null,
    changedAt: (raw?.['st_updated_at'] as Date | null | undefined) ?? null,
  };
}

/**
 * `$1` user, `$2` since, `$3` limit. Two halves, one per partial index of the user's sessions
 * (`auth_sessions_user_active_idx`, `auth_sessions_user_ended_idx`): a single query over all the
 * user's rows matches neither partial index, and PostgreSQL then scans the table (about 360 ms in a
 * table of 1M rows on each sign-in, against under 1 ms here).
 */
export function recentSignInIpsSql(tables: AuthTables): string {
  return `SELECT ip FROM (
            SELECT ip, max(created_at) AS at FROM ${tables.sessions} WHERE user_id = $1 AND ended_at IS NULL GROUP BY ip
            UNION ALL
            SELECT ip, max(ended_at) AS at FROM ${tables.sessions} WHERE user_id = $1 AND ended_at IS NOT NULL AND ended_at >= $2 GROUP BY ip
          ) AS places
          GROUP BY ip ORDER BY max(at) DESC LIMIT $3`;
}

/** How many times `deleteAllOfUser` runs its statements when a concurrent writer aborts them. */
const DELETE_USER_SESSIONS_ATTEMPTS = 5;

/** A deadlock (40P01), or a row referencing one being deleted committed meanwhile (23503). */
function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '23503';
}
