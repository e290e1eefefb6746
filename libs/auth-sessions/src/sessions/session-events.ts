import { Injectable } from '@nestjs/common';
import { SessionBus } from './session-bus.js';
import type { SessionEndReason } from './session-end-reason.js';

/** Sessions that just ended, as told to every instance (event streams, session caches). */
export interface SessionsEndedEvent {
  userId: string;
  /** The ended sessions; may be empty with `allOfUser` (an epoch bump ends them all). */
  sessionIds: string[];
  reason: SessionEndReason;
  /** Whether every session of the user ended (logout everywhere, credential change). */
  allOfUser?: boolean;
  /** With `allOfUser`: the caller's session, which was kept (rotated) and gets no logout event. */
  exceptSessionId?: string;
  /** Drop caches only: event streams are not told now (they still close at their next heartbeat). */
  silent?: boolean;
}

/**
 * Tells every instance that sessions ended or rotated. Call it right after the transaction that
 * changed them has committed: it returns once no instance can still accept what changed, and
 * it never throws (PostgreSQL stays the source of truth).
 */
@Injectable()
export class SessionEvents {
  constructor(private readonly bus: SessionBus) {}

  /** Sessions ended: caches drop them and their open event streams get `logout` with the reason. */
  async publishEnded(event: SessionsEndedEvent): Promise<void> {
    if (!event.allOfUser && event.sessionIds.length === 0) return;
    await this.bus.announce({
      userId: event.userId,
      sessionIds: event.sessionIds,
      reason: event.silent ? null : event.reason,
      allOfUser: event.allOfUser === true,
      exceptSessionId: event.exceptSessionId ?? null,
    });
  }

  /** A session's secrets rotated (reauth, credential change): caches drop the old ones; streams stay open. */
  async publishRotated(userId: string, sessionId: string): Promise<void> {
    await this.bus.announce({ userId, sessionIds: [sessionId], reason: null, allOfUser: false, exceptSessionId: null });
  }
}
