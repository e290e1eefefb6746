// The API's vocabulary for clients that must not load Nest code (the Angular console): plain
// constants only. The library's own files stay the single source; this re-exports them.
export { SESSION_END_REASONS, type SessionEndReason } from '../../auth-sessions/src/sessions/session-end-reason.js';
export { AUDIT_EVENT_TYPES, type AuditEventType } from '../../auth-sessions/src/audit/audit-event-type.js';
