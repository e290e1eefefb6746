import type { AuditEventShape, AuditPageShape } from '@signoff/auth-sessions-api-types';

/** The audit event types, from the library itself (the contract's, plus admin reads). */
export { AUDIT_EVENT_TYPES } from '@signoff/auth-sessions-api-types';

/** The contract's `AuditEvent` (declared once, in the library). Every string may come from an attacker. */
export type AuditEvent = AuditEventShape;
export type AuditPage = AuditPageShape;

/** Admins reading sessions or the log: recorded for accountability, folded by default so they do not drown the rest. */
export const ADMIN_READ_TYPES: readonly string[] = ['admin_sessions_viewed', 'audit_read'];

export interface AuditFilter {
  type: string;
  /** The target user's current email, exactly (case-insensitive). */
  email: string;
  /** A user id, from a link (the form offers the email). */
  userId: string;
  /** Local calendar days `YYYY-MM-DD`, inclusive; turned into ISO `from` (inclusive) and `to` (exclusive). */
  fromDay: string;
  toDay: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { type: '', email: '', userId: '', fromDay: '', toDay: '' };

export function auditTypeLabel(type: string): string {
  const labels: Record<string, string> = { admin_sessions_viewed: 'Admin viewed sessions', audit_read: 'Admin read the audit log' };
  if (labels[type]) return labels[type];
  const text = type.replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A row of the audit table: an event, or a run of consecutive admin reads folded into one line. */
export type AuditRow = { kind: 'event'; event: AuditEvent } | { kind: 'reads'; key: string; events: AuditEvent[] };

/** Folds each run of consecutive admin reads into one row, unless `showReads` or the run was opened (`expanded` holds its key). */
export function foldAdminReads(events: readonly AuditEvent[], showReads: boolean, expanded: ReadonlySet<string>): AuditRow[] {
  const rows: AuditRow[] = [];
  let run: AuditEvent[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const key = run[0].id;
    if (showReads || expanded.has(key)) rows.push(...run.map((event) => ({ kind: 'event' as const, event })));
    else rows.push({ kind: 'reads', key, events: run });
    run = [];
  };
  for (const event of events) {
    if (ADMIN_READ_TYPES.includes(event.type)) {
      run.push(event);
    } else {
      flush();
      rows.push({ kind: 'event', event });
    }
  }
  flush();
  return rows;
}
