import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthTables } from '../common/auth-tables.js';
import { OutboxEntry } from './outbox-entry.entity.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

/** The only place with outbox SQL. */
@Injectable()
export class OutboxRepository {
  private readonly tables: AuthTables;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.tables = AuthTables.of(dataSource);
  }

  /** Records a job in the caller's transaction; a second entry with the same job id is ignored. */
  async add(jobName: string, jobId: string, payload: object, manager: EntityManager): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(OutboxEntry)
      .values({ id: randomUUID(), jobName, jobId, payload: payload as never, createdAt: new Date() })
      .orIgnore()
      .execute();
  }

  /** Deletes up to `limit` entries relayed to BullMQ before `cutoff`; pending ones are never deleted. */
  async deleteRelayedBefore(cutoff: Date, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM ${this.tables.outbox} WHERE id IN (
         SELECT id FROM ${this.tables.outbox} WHERE relayed_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [cutoff, limit],
    );
    return deleted;
  }

  /**
   * Hands up to `limit` pending entries, oldest first, to `relay` inside one transaction that locks
   * them (other instances skip them). `relay` answers, per entry, null when relayed or the error.
   */
  async relayPending(limit: number, relay: (entry: OutboxEntry) => Promise<string | null>): Promise<{ relayed: number; failed: number }> {
    return this.dataSource.transaction(async (manager) => {
      const entries = await manager
        .createQueryBuilder(OutboxEntry, 'o')
        .where('o.relayed_at IS NULL')
        .orderBy('o.created_at', 'ASC')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      let relayed = 0;
      let failed = 0;
      for (const entry of entries) {
        const error = failed > 0 ? 'not tried: an earlier entry failed' : await relay(entry);
        if (error === null) {
          await manager.update(OutboxEntry, { id: entry.id }, { relayedAt: new Date(), attempts: entry.attempts + 1, lastError: null });
          relayed++;
        } else {
          if (failed === 0) await manager.update(OutboxEntry, { id: entry.id }, { attempts: entry.attempts + 1, lastError: error.slice(0, 1000) });
          failed++;
        }
      }
      return { relayed, failed };
    });
  }
}
