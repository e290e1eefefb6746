import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { ClientContext } from '../common/client-context.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditEventType } from './audit-event-type.js';

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

// Control characters in attacker-controlled text (user agents) would forge lines in log exports.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** Writes audit events inside the caller's transaction, so an event exists exactly when its change does. */
@Injectable()
export class AuditLogService {
  /** Appends events; returns nothing. Write from services (use cases), never from guards or controllers. */
  async record(manager: EntityManager, ...records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await manager.insert(
      AuditEvent,
      records.map((record) => ({
        id: randomUUID(),
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
      })) as QueryDeepPartialEntity<AuditEvent>[],
    );
  }
}
