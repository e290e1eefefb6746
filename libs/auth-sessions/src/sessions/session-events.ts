import { Injectable, Logger } from '@nestjs/common';
import { type LeaseWaitListener, SessionBus, type SessionChange } from './session-bus.js';
import type { SessionEndReason } from '../common/session-end-reason.js';

/** Listener of sessions ended by this instance, after their transaction committed (metrics). */
export type SessionsEndedListener = (reason: SessionEndReason, count: number) => void;

/**
 * The session events of this library:
 * - to every instance (caches drop entries, event streams and sockets close), through the bus;
 *   `announce*` return once no instance can still accept what changed, and never throw
 *   (PostgreSQL stays the source of truth);
 * - to listeners in this process, once per ending committed here (the metrics count them), so
 *   each ended session is counted exactly once across instances.
 * Only `SessionRevoker` announces endings; sign-in and credential changes announce rotations.
 */
@Injectable()
export class SessionEvents {
  private readonly logger = new Logger('AuthSessions');
  private readonly endedHereListeners: SessionsEndedListener[] = [];

  constructor(private readonly bus: SessionBus) {}

  /** Sessions ended: caches drop them and, with a reason, their event streams and sockets get `logout`. */
  async announceEnded(change: SessionChange): Promise<void> {
    if (!change.allOfUser && change.sessionIds.length === 0) return;
    await this.bus.announce(change);
  }

  /** A session's secrets rotated (reauth, credential change): caches drop the old ones; streams stay open. */
  async announceRotated(userId: string, sessionId: string): Promise<void> {
    await this.bus.announce({ userId, sessionIds: [sessionId], reason: null, allOfUser: false, exceptSessionId: null });
  }

  /** Calls `listener` for each committed ending on this instance, with its reason and how many sessions ended. */
  onEndedHere(listener: SessionsEndedListener): void {
    this.endedHereListeners.push(listener);
  }

  /** Calls `listener` each time a change announced here waited out the lease for an instance that did not acknowledge it. */
  onLeaseWait(listener: LeaseWaitListener): void {
    this.bus.onLeaseWait(listener);
  }

  /** Reports committed endings to this instance's listeners. */
  endedHere(reason: SessionEndReason, count: number): void {
    if (count <= 0) return;
    for (const listener of this.endedHereListeners) {
      try {
        listener(reason, count);
      } catch (error) {
        this.logger.error(`Session event listener failed: ${(error as Error).message}`);
      }
    }
  }
}
