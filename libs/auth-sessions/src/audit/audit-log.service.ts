import { randomUUID } from 'node:crypto';
import { BadRequestException, HttpStatus, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { ClientContext } from '../common/client-context.js';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor.js';
import { AuditEvent } from './audit-event.entity.js';
import { type AuditEventRow, AuditEventRepository, type AuditFilter } from './audit-event.repository.js';
import { type AuditEventResponse, toAuditEventResponse } from './audit-event.response.js';
import type { AuditEventType } from './audit-event-type.js';
import { AUDIT_CSV_HEADER, type AuditExportFormat, toCsvRecord, toNdjsonLine } from './audit-export.js';

/** One audit record to write. `reason` is always a contract code; free text goes to `note`. */
export interface AuditRecord {
  type: AuditEventType;
  actor: { id: string; email: string } | null;
  userId: string | null;
  sessionId?: string | null;
  client?: ClientContext | null;
  reason?: string | null;
  note?: string | null;
  metadata?: Record<string, unknown>;
  at?: Date;
}

const INSERT_CHUNK = 1000;
const EXPORT_BATCH = 1000;

// Control characters in attacker-controlled text (user agents) would forge lines in log exports.
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/**
 * One audit event for every session a revocation ends, alike but for the session and its user (taken
 * from the ended row) and the time (the end's).
 */
export type PerSessionAuditRecord = Omit<AuditRecord, 'userId' | 'sessionId' | 'at'>;

/**
 * Writes audit events inside the caller's transaction, or inside the very statement that makes the
 * change, so an event exists exactly when its change does.
 */
@Injectable()
export class AuditLogService {
  constructor(private readonly events: AuditEventRepository) {}

  /** Appends events; returns nothing. Write from services (use cases), never from guards or controllers. */
  async record(manager: EntityManager, ...records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    // PostgreSQL takes at most 65535 parameters per statement: bulk revocations insert in chunks.
    for (let start = 0; start < records.length; start += INSERT_CHUNK) {
      await this.insert(manager, records.slice(start, start + INSERT_CHUNK));
    }
  }

  /**
   * One page of events matching `filter`, newest first. `cursor` is the previous page's
   * `nextCursor`; a malformed one is a 400. `nextCursor` is null on the last page.
   */
  async list(filter: AuditFilter, limit: number, cursor: string | undefined): Promise<{ items: AuditEventResponse[]; nextCursor: string | null }> {
    const beforeSeq = cursor === undefined ? null : decodeAuditCursor(cursor);
    if (cursor !== undefined && beforeSeq === null) {
      throw new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        message: 'cursor is malformed: pass the nextCursor of the previous page unchanged, or leave it out for the first page.',
      });
    }
    const rows = await this.events.findPageNewestFirst(filter, beforeSeq, limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map(toAuditEventResponse),
      nextCursor: rows.length > limit ? encodeAuditCursor(page[page.length - 1].seq) : null,
    };
  }

  /**
   * Streams every event matching `filter`, oldest first, as CSV or NDJSON chunks to `write`: the
   * events up to the newest one when the export starts (events written meanwhile are left out).
   * Each batch of events is one short statement, so no transaction or pooled connection is held
   * while `write` waits for a slow reader or `complete` looks users up. `write` should resolve once
   * the chunk is flushed, so a slow reader slows the export rather than filling memory. `complete`
   * may add to each batch of events before it is written (the admin's export adds `user`).
   */
  async export(
    filter: AuditFilter,
    format: AuditExportFormat,
    write: (chunk: string) => Promise<void>,
    complete: (events: AuditEventResponse[]) => Promise<AuditEventResponse[]> = async (events) => events,
  ): Promise<number> {
    const upToSeq = await this.events.latestSeq();
    if (format === 'csv') await write(AUDIT_CSV_HEADER);
    if (upToSeq === null) return 0;
    const toText = format === 'csv' ? toCsvRecord : toNdjsonLine;
    let afterSeq: string | null = null;
    let exported = 0;
    for (;;) {
      const rows = await this.events.findPageOldestFirst(filter, afterSeq, EXPORT_BATCH, upToSeq);
      if (rows.length === 0) break;
      const events = await complete(rows.map(toAuditEventResponse));
      await write(events.map(toText).join(''));
      exported += rows.length;
      afterSeq = rows[rows.length - 1].seq;
      if (rows.length < EXPORT_BATCH) break;
    }
    return exported;
  }

  /**
   * The SQL of an insert of one event per row of `source` (a CTE of ended sessions with `id` and
   * `user_id`), for a data-modifying statement to write the events with the change itself: one
   * statement, one round trip. Appends its values to `parameters`.
   */
  insertForEachEndedSql(record: PerSessionAuditRecord, at: Date, source: string, parameters: unknown[]): string {
    return this.events.insertForEachSql(toRow({ ...record, userId: null, at }), source, parameters);
  }

  /** Appends events outside any other change (admin reads): its own short transaction. */
  recordAlone(...records: AuditRecord[]): Promise<void> {
    return this.events.transaction((manager) => this.record(manager, ...records));
  }

  private async insert(manager: EntityManager, records: AuditRecord[]): Promise<void> {
    await manager.insert(AuditEvent, records.map((record) => ({ id: randomUUID(), ...toRow(record) })) as QueryDeepPartialEntity<AuditEvent>[]);
  }
}

/** An event's columns as stored, but its id and seq. */
function toRow(record: AuditRecord): AuditEventRow {
  return {
    type: record.type,
    at: record.at ?? new Date(),
    actorId: record.actor?.id ?? null,
    actorEmail: record.actor?.email ?? null,
    userId: record.userId,
    sessionId: record.sessionId ?? null,
    ip: record.client?.ip ?? null,
    userAgent: record.client ? record.client.userAgent.replace(CONTROL_CHARACTERS, ' ') : null,
    reason: record.reason ?? null,
    note: record.note ?? null,
    metadata: record.metadata ?? {},
    requestId: record.client?.requestId ?? null,
  };
}
