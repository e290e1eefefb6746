/** The audit event types, from the library itself (the contract's, plus admin reads). */
export { AUDIT_EVENT_TYPES } from '@signoff/auth-sessions-api-types';

/** The contract's `AuditEvent`. Every string may come from an attacker (user agents, notes). */
export interface AuditEvent {
  id: string;
  type: string;
  at: string;
  actor: { id: string; email: string } | null;
  userId: string | null;
  sessionId: string | null;
  ip: string;
  userAgent: string;
  reason: string | null;
  note: string | null;
  metadata: Record<string, unknown> | null;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditFilter {
  type: string;
  userId: string;
  /** Local calendar days, inclusive; turned into ISO `from` (inclusive) and `to` (exclusive). */
  fromDay: Date | null;
  toDay: Date | null;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { type: '', userId: '', fromDay: null, toDay: null };

export function auditTypeLabel(type: string): string {
  const text = type.replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
