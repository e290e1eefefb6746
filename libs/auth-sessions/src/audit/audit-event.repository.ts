import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditEventType } from './audit-event-type.js';

/** Which audit events to read: every given field must match; `from` is inclusive, `to` exclusive. */
export interface AuditFilter {
  userId?: string;
  type?: AuditEventType;
  from?: Date;
  to?: Date;
}

/** The only place with SQL that reads audit events (the chain has its own repository). */
@Injectable()
export class AuditEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction at the given isolation level. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>, isolation: 'READ COMMITTED' | 'REPEATABLE READ' = 'READ COMMITTED'): Promise<T> {
    return this.dataSource.transaction(isolation, work);
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

  /** Up to `limit` matching events, oldest first, above `afterSeq` when given (exports). */
  findPageOldestFirst(filter: AuditFilter, afterSeq: string | null, limit: number, manager: EntityManager): Promise<AuditEvent[]> {
    const query = this.filtered(filter, manager).orderBy('e.seq', 'ASC').limit(limit);
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
