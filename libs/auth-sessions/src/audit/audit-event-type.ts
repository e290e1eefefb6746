/** Audit event types: the contract's words. */
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
  // A host erased a deleted user's session data (UserErasureService): what was deleted, by count.
  'sessions_erased',
  // Admin reads, themselves audited: a user's sessions opened, the audit log listed or exported.
  'admin_sessions_viewed',
  'audit_read',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
