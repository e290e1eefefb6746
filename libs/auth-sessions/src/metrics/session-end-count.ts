import type { AuditEventType } from '../audit/audit-event-type.js';
import { SESSION_END_REASONS, type SessionEndReason } from '../sessions/session-end-reason.js';

/** The part of an audit record that says how many sessions ended, and why. */
export interface EndingRecord {
  type: AuditEventType;
  reason?: string | null;
  metadata?: Record<string, unknown>;
}

const REASONS = new Set<string>(SESSION_END_REASONS);

/**
 * How many sessions a batch of audit records ended, by reason. Every session end writes an audit
 * event (one per session, or one with the count), so counting them covers every path, including
 * paths added later. `sessions_revoked_by_filter` is skipped: its sessions have their own events.
 */
export function countEndedSessions(records: EndingRecord[]): Map<SessionEndReason, number> {
  const counts = new Map<SessionEndReason, number>();
  for (const record of records) {
    if (!record.reason || !REASONS.has(record.reason)) continue;
    const ended = sessionsEndedBy(record);
    if (ended > 0) counts.set(record.reason as SessionEndReason, (counts.get(record.reason as SessionEndReason) ?? 0) + ended);
  }
  return counts;
}

function sessionsEndedBy(record: EndingRecord): number {
  const metadata = record.metadata ?? {};
  switch (record.type) {
    case 'logout':
    case 'session_revoked':
    case 'session_expired':
      return 1;
    case 'refresh_token_reuse':
      return countIn(metadata) ?? 1;
    case 'logout_everywhere':
      return countIn(metadata) ?? 0;
    default:
      return 0;
  }
}

function countIn(metadata: Record<string, unknown>): number | null {
  const count = metadata['count'];
  if (typeof count === 'number' && Number.isInteger(count) && count >= 0) return count;
  const ids = metadata['endedSessionIds'] ?? metadata['sessionIds'];
  return Array.isArray(ids) ? ids.length : null;
}
