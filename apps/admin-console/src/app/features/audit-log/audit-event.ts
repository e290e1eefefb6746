/** The contract's audit event types (at least these). */
export const AUDIT_EVENT_TYPES = [
  'login',
  'login_failed',
  'logout',
  'logout_everywhere',
  'session_revoked',
  'session_expired',
  'password_changed',
  'email_changed',
  'security_report',
  'refresh_token_reuse',
  'sessions_revoked_by_filter',
  'audit_pruned',
] as const;

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
