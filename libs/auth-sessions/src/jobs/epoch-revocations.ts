import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditRecord } from '../audit/audit-log.service.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { type EpochRevocationPlan, type RevokedBy, SessionRevoker } from '../sessions/session-revoker.js';
import { type CredentialChangeCleanupJob, credentialChangeCleanupJobId, JOB_CREDENTIAL_CHANGE_CLEANUP } from './auth-sessions.queue.js';
import { OutboxRelay } from './outbox-relay.js';
import { OutboxRepository } from './outbox.repository.js';

/** An epoch revocation recorded in a caller's transaction; `announce` after the commit. */
export interface EpochRevocationReceipt {
  /** How many sessions of the user it ended. */
  revoked: number;
  /** The user's new epoch: a kept session is carried into it by the caller. */
  epoch: number;
  /** Tells every instance (caches, event streams) and hands the clean-up job to the queue. Never throws. */
  announce(): Promise<void>;
}

/**
 * Up to this many active sessions, logout everywhere marks every row in its own transaction (the
 * ended sessions are listed at once, each id in the audit event). Above it, the rows are left to the
 * clean-up job and the answer no longer grows with their number: an epoch bump and a count.
 * Marking costs about 40 µs a row while the user waits (B3: 10.6 ms at 10 sessions, 49.6 ms at
 * 1,000), the epoch path about 1 ms plus the count; they cross near 100.
 */
export const EAGER_LOGOUT_EVERYWHERE_LIMIT = 100;

/** How logout everywhere ends a user's sessions and what it records. */
export interface LogoutEverywherePlan {
  userId: string;
  reason: SessionEndReason;
  by: RevokedBy;
  /** A session to keep (the caller's, with `keepCurrent`). */
  keptSessionId: string | null;
  /** Its audit events from the count and the time written; `sessionIds` only when every row was marked at once. */
  audit(revoked: number, at: Date, sessionIds: string[] | null): AuditRecord[];
}

/** What logout everywhere ended: the count, and the ids when the rows were marked at once (else every active session but the kept one). */
export interface LogoutEverywhereResult {
  revoked: number;
  endedSessionIds: string[] | null;
}

/**
 * Ends every session of a user in constant time, whatever their number: the user's epoch moves
 * forward (from the commit on every older session reads as ended on every instance), and the job
 * that marks the rows is written to the outbox in the same transaction, so it runs even if Redis
 * is down at the commit. Credential changes always end sessions this way; logout everywhere does
 * when the user has more sessions than one transaction should mark.
 */
@Injectable()
export class EpochRevocations {
  constructor(
    private readonly revoker: SessionRevoker,
    private readonly sessions: SessionRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Logout everywhere, by the user or an admin: one transaction that ends the sessions (each row up
   * to `EAGER_LOGOUT_EVERYWHERE_LIMIT`, else by an epoch bump and the clean-up job) with the audit
   * events, then the announcement; either way no instance accepts an ended session once it returns.
   */
  async logoutEverywhere(plan: LogoutEverywherePlan): Promise<LogoutEverywhereResult> {
    const { userId, reason, by, keptSessionId } = plan;
    const outcome = await this.sessions.transaction(async (manager) => {
      // One exact count chooses the path and, on the epoch path, is the answer and the audit event's count.
      // (A count bounded with LIMIT saves nothing: PostgreSQL reads a big user's index entries into a bitmap first.)
      const at = new Date();
      const counted = { at, active: await this.sessions.countActiveForUser(userId, keptSessionId, at, manager) };
      if (counted.active <= EAGER_LOGOUT_EVERYWHERE_LIMIT) {
        const pending = await this.revoker.revokeInTransaction(
          manager,
          { userId, allSessions: true, exceptSessionId: keptSessionId },
          {
            reason,
            by,
            audit: (ended, at) =>
              plan.audit(
                ended.length,
                at,
                ended.map((session) => session.id),
              ),
          },
        );
        return { revoked: pending.ended.length, endedSessionIds: pending.ended.map((session) => session.id), announce: () => pending.announce() };
      }
      const receipt = await this.endAllOfUser(manager, {
        userId,
        reason,
        by,
        keptSessionId,
        notify: true,
        audit: (revoked, at) => plan.audit(revoked, at, null),
        counted,
      });
      // The kept session moves into the new epoch; if it ended meanwhile it simply stays ended.
      if (keptSessionId) await this.sessions.adoptEpoch(keptSessionId, receipt.epoch, null, manager);
      return { revoked: receipt.revoked, endedSessionIds: null, announce: () => receipt.announce() };
    });
    await outcome.announce();
    return { revoked: outcome.revoked, endedSessionIds: outcome.endedSessionIds };
  }

  /** Inside the caller's transaction: the epoch bump, its audit events and the clean-up job's outbox row. */
  async endAllOfUser(manager: EntityManager, plan: EpochRevocationPlan & { by: RevokedBy }): Promise<EpochRevocationReceipt> {
    const revocation = await this.revoker.endAllByEpoch(manager, plan);
    const job: CredentialChangeCleanupJob = {
      userId: plan.userId,
      epoch: revocation.epoch,
      reason: plan.reason,
      keptSessionId: plan.keptSessionId,
      changedAt: revocation.at.toISOString(),
      notify: plan.notify,
      // Only when someone ended them (logout everywhere): a credential change's payload stays ids and versions.
      ...(plan.by ? { endedBy: plan.by } : {}),
    };
    await this.outbox.add(JOB_CREDENTIAL_CHANGE_CLEANUP, credentialChangeCleanupJobId(job), job, manager);
    return {
      revoked: revocation.revoked,
      epoch: revocation.epoch,
      announce: async () => {
        // The instances first: the clean-up job marking rows beside the acknowledgement would only delay it
        // (the outbox row is committed; the relay's poll would find it anyway).
        await revocation.announce();
        this.relay.kick();
      },
    };
  }
}
