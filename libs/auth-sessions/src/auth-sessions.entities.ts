import { AuditCheckpoint } from './audit/audit-checkpoint.entity.js';
import { AuditEvent } from './audit/audit-event.entity.js';
import { AuditSeal } from './audit/audit-seal.entity.js';
import { Session } from './sessions/session.entity.js';
import { UserSessionState } from './sessions/user-session-state.entity.js';
import { OutboxEntry } from './jobs/outbox-entry.entity.js';
import { RefreshToken } from './tokens/refresh-token.entity.js';
import { SSO_ENTITIES } from './sso/sso.entities.js';

/** The library's entities: add them to your TypeORM `entities` (their classes are internal). */
export const AUTH_SESSIONS_ENTITIES: Array<new () => object> = [
  Session,
  UserSessionState,
  AuditEvent,
  RefreshToken,
  OutboxEntry,
  AuditSeal,
  AuditCheckpoint,
  ...SSO_ENTITIES,
];
