import type { AuditEvent } from './audit-event.entity.js';
import type { AuditEventShape } from './audit-event.shape.js';

/** An audit event as the admin API shows it: the contract's `AuditEvent`, plus the request id. */
export type AuditEventResponse = AuditEventShape<Date> & { requestId: string | null };

/** Maps a row to the contract's `AuditEvent`. */
export function toAuditEventResponse(event: AuditEvent): AuditEventResponse {
  return {
    id: event.id,
    type: event.type,
    at: event.at,
    actor: event.actorId ? { id: event.actorId, email: event.actorEmail } : null,
    userId: event.userId,
    sessionId: event.sessionId,
    ip: event.ip,
    userAgent: event.userAgent,
    reason: event.reason,
    note: event.note,
    metadata: event.metadata,
    requestId: event.requestId,
  };
}
