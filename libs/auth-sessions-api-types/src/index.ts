// The API's vocabulary and shapes for clients that must not load Nest code (the Angular console): plain
// constants and types only. The library's own dependency-free files are the single declaration (the
// library's build cannot import from outside its src/); this re-exports them, and the library's response
// types and OpenAPI classes are written in terms of the same shapes.
export { SESSION_END_REASONS, type SessionEndReason } from '../../auth-sessions/src/common/session-end-reason.js';
export { AUDIT_EVENT_TYPES, type AuditEventType } from '../../auth-sessions/src/audit/audit-event-type.js';
export type { SessionShape, SessionListShape, RevokedCountShape } from '../../auth-sessions/src/devices/session.shape.js';
export type { AuditEventShape, AuditPageShape } from '../../auth-sessions/src/audit/audit-event.shape.js';
export type { AdminUserShape, AdminUsersPageShape } from '../../auth-sessions/src/admin/admin-user.shape.js';
export type { AdminOverviewShape, OverviewRevocationShape } from '../../auth-sessions/src/admin/admin-overview.shape.js';
