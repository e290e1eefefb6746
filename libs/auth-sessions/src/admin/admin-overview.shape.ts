import type { SessionEndReason } from '../common/session-end-reason.js';

// A plain shape of the HTTP API (no Nest or TypeORM import): see devices/session.shape.ts.

/** One revocation in the overview: an audit event that ended sessions on purpose. */
export interface OverviewRevocationShape<Time = string> {
  id: string;
  /** `session_revoked`, `logout_everywhere`, `sessions_revoked_by_filter` or `security_report`. */
  type: string;
  at: Time;
  actor: { id: string; email: string | null } | null;
  /** The user whose sessions ended, as the host knows them now; null for a filter across users. */
  user: { id: string; email: string } | null;
  reason: string | null;
  note: string | null;
  /** Sessions it ended (1 for `session_revoked`). */
  count: number;
}

/**
 * `GET /api/admin/overview`: the admin landing page's numbers in one answer. Days are UTC calendar
 * days, oldest first, the last one today (so far).
 */
export interface AdminOverviewShape<Time = string> {
  generatedAt: Time;
  /** Sessions active now, by the guard's rule (ended, expired and epoch-ended ones excluded). */
  activeSessions: number;
  days: Array<{
    /** `YYYY-MM-DD` (UTC). */
    day: string;
    /** Sessions open at the end of the day (now, for today). */
    activeSessions: number;
    signIns: number;
    /** Sessions that ended that day, by reason. */
    signOuts: Partial<Record<SessionEndReason, number>>;
  }>;
  /** Active sessions by device type (`desktop`, `mobile`, …), largest first. */
  byDeviceType: Array<{ type: string; sessions: number }>;
  /** Active sessions by place, largest first: the top places, then `Other` and `Unknown` when there are any. */
  byPlace: Array<{ place: string; sessions: number }>;
  /** The latest revocations, newest first. */
  recentRevocations: OverviewRevocationShape<Time>[];
}
