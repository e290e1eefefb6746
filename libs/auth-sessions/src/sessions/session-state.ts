import type { Session } from './session.entity.js';
import type { SessionEndReason } from '../common/session-end-reason.js';

/** The user's epoch as stored; a session opened under an older epoch has ended. */
export interface UserEpoch {
  epoch: number;
  reason: SessionEndReason | null;
  changedAt: Date | null;
}

/** Where a session stands at a moment, whatever its row says yet. */
export type SessionState =
  | { status: 'active'; expiresAt: Date }
  | { status: 'ended'; reason: SessionEndReason; endedAt: Date }
  | { status: 'expired'; reason: 'expired_idle' | 'expired_absolute'; endedAt: Date };

/** The earlier of the idle and the absolute deadline. */
export function expiresAtOf(session: Pick<Session, 'lastActiveAt' | 'idleSeconds' | 'absoluteExpiresAt'>): Date {
  return expiryOf(session).at;
}

/**
 * Decides whether a session is still valid at `now`. Every read goes through this, so a row that
 * no job has marked yet (expired, or ended by an epoch bump) already reads as ended.
 */
export function sessionStateAt(session: Session, userEpoch: UserEpoch, now: Date): SessionState {
  if (session.endedAt) {
    const reason = session.endReason ?? 'logout';
    // A row the expiry job has marked still reads as expired, whichever instance swept it.
    if (reason === 'expired_idle' || reason === 'expired_absolute') return { status: 'expired', reason, endedAt: session.endedAt };
    return { status: 'ended', reason, endedAt: session.endedAt };
  }
  const expiry = expiryOf(session);
  if (session.epoch < userEpoch.epoch) {
    // Ended by an epoch bump (logout everywhere, credential change) unless it had expired before it.
    const changedAt = userEpoch.changedAt ?? now;
    if (expiry.at.getTime() <= changedAt.getTime()) return { status: 'expired', reason: expiry.reason, endedAt: expiry.at };
    return { status: 'ended', reason: userEpoch.reason ?? 'logout_everywhere', endedAt: changedAt };
  }
  if (now.getTime() >= expiry.at.getTime()) return { status: 'expired', reason: expiry.reason, endedAt: expiry.at };
  return { status: 'active', expiresAt: expiry.at };
}

/** When and why a session expires if nothing else ends it first: the earlier deadline wins, absolute on a tie. */
export function expiryOf(session: Pick<Session, 'lastActiveAt' | 'idleSeconds' | 'absoluteExpiresAt'>): {
  reason: 'expired_idle' | 'expired_absolute';
  at: Date;
} {
  const idleDeadline = session.lastActiveAt.getTime() + session.idleSeconds * 1000;
  const absoluteDeadline = session.absoluteExpiresAt.getTime();
  return absoluteDeadline <= idleDeadline
    ? { reason: 'expired_absolute', at: session.absoluteExpiresAt }
    : { reason: 'expired_idle', at: new Date(idleDeadline) };
}
