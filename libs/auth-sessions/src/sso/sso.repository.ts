import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthTables } from '../common/auth-tables.js';
import { activePredicate, type EndedSession } from '../sessions/session.repository.js';
import { SsoLink } from './sso-link.entity.js';
import { SsoUsedToken, type SsoUsedTokenKind } from './sso-used-token.entity.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

/** Which active sessions of a provider an identity-provider logout ends: by its session id, by its subject, or both. */
export interface ProviderSessionMatch {
  issuer: string;
  sid?: string | undefined;
  subject?: string | undefined;
}

/** The outcome of linking a provider subject to a user. */
export type LinkOutcome = 'linked' | 'conflict';

/** The only place with single sign-on SQL. */
@Injectable()
export class SsoRepository {
  // Raw SQL names the tables in the DataSource's schema when the host sets one.
  private readonly tables: AuthTables;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.tables = AuthTables.of(dataSource);
  }

  /** The link of a provider subject; null when the subject was never linked. */
  findLink(issuer: string, subject: string, manager = this.dataSource.manager): Promise<SsoLink | null> {
    return manager.findOne(SsoLink, { where: { issuer, subject } });
  }

  /**
   * Links a provider subject to a user. `linked` when the link now exists (made here or already the
   * same); `conflict` when the subject is linked to another user, or the user to another subject of
   * this provider (a provider that reassigned an email must not take over an account).
   */
  async link(issuer: string, subject: string, userId: string, now: Date): Promise<LinkOutcome> {
    const inserted: Array<{ user_id: string }> = await this.dataSource.query(
      `INSERT INTO ${this.tables.qualify('auth_sso_links')} (issuer, subject, user_id, created_at, last_login_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [issuer, subject, userId, now],
    );
    if (inserted.length > 0) return 'linked';
    const existing = await this.findLink(issuer, subject);
    return existing?.userId === userId ? 'linked' : 'conflict';
  }

  /** Deletes every provider subject linked to a user, in the caller's transaction. Returns how many. */
  async deleteLinksOfUser(manager: EntityManager, userId: string): Promise<number> {
    const rows: Array<{ count: string }> = await manager.query(
      `WITH deleted AS (DELETE FROM ${this.tables.qualify('auth_sso_links')} WHERE user_id = $1 RETURNING 1) SELECT count(*) AS count FROM deleted`,
      [userId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** Records a sign-in through the link (its last use). */
  async touchLink(issuer: string, subject: string, now: Date): Promise<void> {
    await this.dataSource.manager.update(SsoLink, { issuer, subject }, { lastLoginAt: now });
  }

  /** Removes a link whose user the host no longer has; nothing when there is none. */
  async deleteLink(issuer: string, subject: string): Promise<void> {
    await this.dataSource.manager.delete(SsoLink, { issuer, subject });
  }

  /**
   * Records a one-time token id in the caller's transaction. Returns false when it was recorded
   * before (a replay); a concurrent insert of the same id waits for the other transaction, so
   * exactly one of them gets true.
   */
  async markUsed(manager: EntityManager, issuer: string, kind: SsoUsedTokenKind, tokenId: string, expiresAt: Date): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.tables.qualify('auth_sso_used_tokens')} (issuer, kind, token_id, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [issuer, kind, tokenId, expiresAt],
    );
    return rows.length > 0;
  }

  /** Deletes used token ids whose tokens can no longer be accepted anyway. Returns how many. */
  async purgeUsed(now: Date): Promise<number> {
    const result = await this.dataSource.manager.createQueryBuilder().delete().from(SsoUsedToken).where('expires_at < :now', { now }).execute();
    return result.affected ?? 0;
  }

  /**
   * The active sessions from a provider that match by provider sid and/or subject, locked until the
   * caller's transaction ends. "Active" is the guard's rule, so the ending that follows ends exactly these.
   */
  async findActiveSessions(manager: EntityManager, match: ProviderSessionMatch, now: Date): Promise<EndedSession[]> {
    const parameters: unknown[] = [now, match.issuer];
    let condition = 's.sso_issuer = $2';
    if (match.sid !== undefined) {
      parameters.push(match.sid);
      condition += ` AND s.sso_sid = $${parameters.length}`;
    }
    if (match.subject !== undefined) {
      parameters.push(match.subject);
      condition += ` AND s.sso_subject = $${parameters.length}`;
    }
    if (match.sid === undefined && match.subject === undefined) return [];
    const rows: Array<{ id: string; user_id: string }> = await manager.query(
      `SELECT s.id::text AS id, s.user_id::text AS user_id FROM ${this.tables.qualify('auth_sessions')} s
        WHERE ${condition} AND ${activePredicate('$1', this.tables)}
        ORDER BY s.id FOR UPDATE OF s`,
      parameters,
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id }));
  }

  /** Stores a session's sealed `id_token_hint` in the caller's transaction. */
  async saveLogoutHint(manager: EntityManager, sessionId: string, sealedIdToken: string, now: Date): Promise<void> {
    await manager.query(`INSERT INTO ${this.tables.qualify('auth_sso_logout_hints')} (session_id, id_token_hint, created_at) VALUES ($1, $2, $3)`, [
      sessionId,
      sealedIdToken,
      now,
    ]);
  }

  /** Removes and returns a session's sealed `id_token_hint`; null when it has none. */
  async takeLogoutHint(sessionId: string): Promise<string | null> {
    const result: unknown = await this.dataSource.query(
      `DELETE FROM ${this.tables.qualify('auth_sso_logout_hints')} WHERE session_id = $1 RETURNING id_token_hint`,
      [sessionId],
    );
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Array<{ id_token_hint: string }>;
    return rows[0]?.id_token_hint ?? null;
  }

  /** Deletes the hints of sessions that ended, in the caller's transaction. */
  async deleteLogoutHints(manager: EntityManager, sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await manager.query(`DELETE FROM ${this.tables.qualify('auth_sso_logout_hints')} WHERE session_id = ANY($1::uuid[])`, [sessionIds]);
  }

  /** Deletes the hints of every session that is no longer active (expired, ended elsewhere). Returns how many. */
  async purgeInactiveHints(now: Date): Promise<number> {
    const result: unknown = await this.dataSource.query(
      `DELETE FROM ${this.tables.qualify('auth_sso_logout_hints')} h USING ${this.tables.qualify('auth_sessions')} s
        WHERE s.id = h.session_id AND NOT (${activePredicate('$1', this.tables)})`,
      [now],
    );
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}
