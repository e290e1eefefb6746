import type { SessionEndReason } from '../common/session-end-reason.js';

/** The library's BullMQ queue: its name, job names and payloads, in one place. */
// The name itself lives with the library's constants: AuthRedis (common/) listens to the queue's errors.
export { AUTH_SESSIONS_QUEUE } from '../auth-sessions.constants.js';

export const JOB_EXPIRE_SESSIONS = 'expire-sessions';
/**
 * Marks the rows of sessions an epoch bump ended (a credential change, or logout everywhere of more
 * sessions than one transaction marks), then tells every instance again.
 */
export const JOB_CREDENTIAL_CHANGE_CLEANUP = 'credential-change-cleanup';
/** The name the clean-up job had before 0.2; jobs already queued under it still run. */
export const LEGACY_JOB_CREDENTIAL_CHANGE_CLEANUP = 'logout-everywhere';
/** Adds committed audit events to the hash chain; scheduled every `auditSealEveryMs`, no payload. */
export const JOB_SEAL_AUDIT_EVENTS = 'seal-audit-events';
/** Deletes audit events past `auditRetentionDays` through the database's prune; daily, no payload. */
export const JOB_PRUNE_AUDIT_EVENTS = 'prune-audit-events';
/**
 * Deletes sessions ended more than `sessionRetentionDays` ago with their refresh tokens, and relayed
 * outbox entries; daily, no payload. Not scheduled with `sessionRetentionDays: false`.
 */
export const JOB_PRUNE_ENDED_SESSIONS = 'prune-ended-sessions';

/** Payload of `expire-sessions`: none; the job sweeps whatever is due. */
export type ExpireSessionsJob = Record<string, never>;

/**
 * Payload of `credential-change-cleanup`: mark the user's sessions older than `epoch` as ended. Ids,
 * versions and the author's address only, never a secret.
 */
export interface CredentialChangeCleanupJob {
  userId: string;
  /** The epoch the change moved to; sessions opened under it (later sign-ins) are left alone. */
  epoch: number;
  reason: SessionEndReason;
  /** The caller's session, kept and rotated; it gets no logout event. */
  keptSessionId: string | null;
  /** When the change committed: the `endedAt` written on the rows. */
  changedAt: string;
  /** Whether the job republishes the logout notification. */
  notify: boolean;
  /** Who ended the sessions, written on the rows; absent (jobs queued before 0.2) or null for credential changes. */
  endedBy?: { id: string; email: string } | null;
}

/** BullMQ job ids may not contain ':'; this one is the same for the same change, so repeats are ignored. */
export function credentialChangeCleanupJobId(job: Pick<CredentialChangeCleanupJob, 'userId' | 'epoch'>): string {
  return `credential-change-cleanup-${job.userId}-${job.epoch}`;
}

/** Retries of every library job: exponential backoff; a job that finally fails stays in the failed set. */
export const JOB_RETRY_OPTIONS = { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: false } as const;
