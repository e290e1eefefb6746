import { Injectable } from '@nestjs/common';
import type { SessionEndReason } from './session-end-reason.js';

/** Sessions that just ended, as told to every instance (event streams, session caches). */
export interface SessionsEndedEvent {
  userId: string;
  /** The ended sessions; empty with `allOfUser` (an epoch bump ends them all). */
  sessionIds: string[];
  reason: SessionEndReason;
  /** Whether every session of the user ended (logout everywhere, credential change). */
  allOfUser?: boolean;
}

/**
 * Tells every instance that sessions ended. Call it after the transaction that ended them has
 * committed; it never throws (the database stays the source of truth).
 */
@Injectable()
export class SessionEvents {
  async publishEnded(_event: SessionsEndedEvent): Promise<void> {
    // Wired to Redis pub/sub by the events feature.
  }
}
