import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthTables } from '../common/auth-tables.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditEventType } from './audit-event-type.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

/** Which audit events to read: every given field must match; `from` is inclusive, `to` exclusive. */
export interface AuditFilter {
  userId?: string;
  type?: AuditEventType;
  from?: Date;
  to?: Date;
}

/** An event's columns as written, but the id and seq the database gives it. */
export type AuditEventRow = Omit<AuditEvent, 'id' | 'seq'>;

/** The only place with SQL for audit events (the chain has its own repository). */
@Injectable()
export class AuditEventRepository {
  private readonly tables: AuthTables;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.tables = AuthTables.of(dataSource);
  }

  /**
   * An `INSERT … SELECT` of one event per row of `source` (a CTE or table with `id` and `user_id`
   * columns: sessions), each `row` but for the session and user, for a data-modifying statement of
   * another repository to embed. Appends the values to `parameters`.
   */
  insertForEachSql(row: Omit<AuditEventRow, 'userId' | 'sessionId'>, source: string, parameters: unknown[]): string {
    const bind = (value: unknown, type: string): string => {
      parameters.push(value);
      return `$${parameters.length}::${type}`;
    };
    return `INSERT INTO ${this.tables.auditEvents}
              (id, type, at, actor_id, actor_email, user_id, session_id, ip, user_agent, reason, note, metadata, request_id)
            SELECT gen_random_uuid(), ${bind(row.type, 'varchar')}, ${bind(row.at, 'timestamptz')}, ${bind(row.actorId, 'uuid')},
                   ${bind(row.actorEmail, 'varchar')}, ${source}.user_id, ${source}.id, ${bind(row.ip, 'varchar')},
                   ${bind(row.userAgent, 'text')}, ${bind(row.reason, 'varchar')}, ${bind(row.note, 'text')},
                   ${bind(JSON.stringify(row.metadata), 'jsonb')}, ${bind(row.requestId, 'varchar')}
              FROM ${source}`;
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Up to `limit` matching events, newest (highest seq) first, below `beforeSeq` when given.
   * Follows (user_id, seq), (type, seq) or the seq index, so each page costs the same at any depth.
   */
  findPageNewestFirst(filter: AuditFilter, beforeSeq: string | null, limit: number, manager = this.dataSource.manager): Promise<AuditEvent[]> {
    const query = this.filtered(filter, manager).orderBy('e.seq', 'DESC').limit(limit);
    if (beforeSeq) query.andWhere('e.seq < :beforeSeq', { beforeSeq });
    return query.getMany();
  }

  /** The `seq` of the newest event, or null while the log is empty (the `seq` index's last entry). */
  async latestSeq(): Promise<string | null> {
    const rows: Array<{ seq: string | null }> = await this.dataSource.query(`SELECT max(seq)::text AS seq FROM ${this.tables.auditEvents}`);
    return rows[0]?.seq ?? null;
  }

  /**
   * Up to `limit` matching events, oldest first, above `afterSeq` when given and up to `upToSeq`
   * (exports). A statement of its own: no transaction or connection is held between pages.
   */
  findPageOldestFirst(filter: AuditFilter, afterSeq: string | null, limit: number, upToSeq: string): Promise<AuditEvent[]> {
    const query = this.filtered(filter, this.dataSource.manager).andWhere('e.seq <= :upToSeq', { upToSeq }).orderBy('e.seq', 'ASC').limit(limit);
    if (afterSeq) query.andWhere('e.seq > :afterSeq', { afterSeq });
    return query.getMany();
  }

  private filtered(filter: AuditFilter, manager: EntityManager) {
    const query = manager.createQueryBuilder(AuditEvent, 'e').where('TRUE');
    if (filter.userId) query.andWhere('e.user_id = :userId', { userId: filter.userId });
    if (filter.type) query.andWhere('e.type = :type', { type: filter.type });
    if (filter.from) query.andWhere('e.at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('e.at < :to', { to: filter.to });
    return query;
  }
}
