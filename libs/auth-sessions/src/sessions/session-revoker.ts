import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService, type AuditRecord, type PerSessionAuditRecord } from '../audit/audit-log.service.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import { SessionEvents } from './session-events.js';
import { type EndedSession, type RevocationStamp, SessionRepository, type SessionSelection } from './session.repository.js';

/** Who ends sessions, as recorded on the rows (`endedBy`); null for the system (expiry, reuse, the identity provider). */
export type RevokedBy = { id: string; email: string } | null;

/** The outcome of ending sessions: how many, and whether the caller's own session was among them. */
export interface RevocationResult {
  revoked: number;
  endedCurrent: boolean;
}

/** How to end the selected sessions and what to record: per session, as a whole, or both. */
export type RevocationPlan = RevocationPlanBase &
  ({ auditEach: PerSessionAuditRecord; audit?: WholeRevocationAudit } | { auditEach?: PerSessionAuditRecord; audit: WholeRevocationAudit });

interface RevocationPlanBase {
  reason: SessionEndReason;
  by: RevokedBy;
  /**
   * One audit event for each session that really ends, written by the statement that ends it: when
   * it is the plan's only audit, `revoke` is that one statement, with no transaction around it.
   */
  auditEach?: PerSessionAuditRecord;
  /** Audit events of the revocation as a whole (a count, the ended ids), written after it in the same transaction. */
  audit?: WholeRevocationAudit;
  /** Whether the ended sessions' event streams and sockets are told now (else at their next check). @default true */
  notify?: boolean;
}

/** The audit events of a revocation as a whole, from the sessions that really ended and the time written on them. */
type WholeRevocationAudit = (ended: EndedSession[], at: Date) => AuditRecord[];

/** A revocation made inside a caller's transaction: announce it once that transaction has committed. */
export interface PendingRevocation {
  ended: EndedSession[];
  /** Tells every instance and this instance's listeners. Never throws; call it after the commit. */
  announce(): Promise<void>;
}

/** How an epoch bump ends every session of a user at once (credential changes, logout everywhere of many sessions). */
export interface EpochRevocationPlan {
  userId: string;
  reason: SessionEndReason;
  /** The caller's session, carried into the new epoch by the caller (it stays, rotated). */
  keptSessionId: string | null;
  /** Whether the ended sessions' event streams and sockets are told now. */
  notify: boolean;
  /** The audit events of the change, from how many sessions it ended and when. */
  audit(revoked: number, at: Date): AuditRecord[];
  /** The user's active sessions (but the kept one) as the caller just counted them in this transaction, and when: not counted again. */
  counted?: { active: number; at: Date };
}

/** An epoch bump made inside a caller's transaction. */
export interface PendingEpochRevocation {
  /** The user's new epoch. */
  epoch: number;
  /** How many sessions of the user it ended. */
  revoked: number;
  /** The moment written as their end. */
  at: Date;
  /** Tells every instance and this instance's listeners. Never throws; call it after the commit. */
  announce(): Promise<void>;
}

/** What the clean-up after an epoch bump needs: mark the rows the bump ended. */
export interface EpochCleanup {
  userId: string;
  epoch: number;
  reason: SessionEndReason;
  keptSessionId: string | null;
  /** When the bump committed: the `endedAt` written on the rows. */
  changedAt: Date;
  notify: boolean;
  /** Who ended them, written on the rows (`endedBy`); null for credential changes. */
  by: RevokedBy;
}

const EXPIRY_BATCH = 1000;

/**
 * The one way sessions end. Every path (logout, logout everywhere, own and admin revocations,
 * refresh-token reuse, sign-in replacing a session, credential changes, expiry, the identity
 * provider) calls it; nothing else writes `ended_at` or announces an end. The sequence is always:
 * one transaction (or one statement) that ends the rows and writes their audit events together,
 * then, after the commit, the announcement that returns once no instance can still accept what
 * ended (see SessionBus), and the local count for metrics.
 */
@Injectable()
export class SessionRevoker {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly auditLog: AuditLogService,
    private readonly events: SessionEvents,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * Ends the selected active sessions, then announces. Returns what ended. With per-session audit
   * events only (a logout, a revoked device) that is one statement, which commits the rows and
   * their events together; otherwise one transaction.
   */
  async revoke(selection: SessionSelection, plan: RevocationPlan): Promise<EndedSession[]> {
    const pending = plan.audit
      ? await this.sessions.transaction((manager) => this.revokeInTransaction(manager, selection, plan))
      : (await this.end(selection, plan)).pending;
    await pending.announce();
    return pending.ended;
  }

  /** Ends the selected active sessions inside the caller's transaction; the caller announces after its commit. */
  async revokeInTransaction(manager: EntityManager, selection: SessionSelection, plan: RevocationPlan): Promise<PendingRevocation> {
    const { pending, at } = await this.end(selection, plan, manager);
    if (plan.audit) await this.auditLog.record(manager, ...plan.audit(pending.ended, at));
    return pending;
  }

  /** The revoking statement, with the per-session audit events in it; in `manager`'s transaction, else alone. */
  private async end(selection: SessionSelection, plan: RevocationPlan, manager?: EntityManager): Promise<{ pending: PendingRevocation; at: Date }> {
    const stamp: RevocationStamp = { reason: plan.reason, at: new Date(), byId: plan.by?.id ?? null, byEmail: plan.by?.email ?? null };
    const each = plan.auditEach;
    const ended = await this.sessions.revoke(
      selection,
      stamp,
      manager,
      each && ((rows, parameters) => this.auditLog.insertForEachEndedSql(each, stamp.at, rows, parameters)),
    );
    return { pending: { ended, announce: () => this.announce(ended, plan.reason, plan.notify ?? true) }, at: stamp.at };
  }

  /**
   * Ends every session of a user at once by moving the user's epoch forward, inside the caller's
   * transaction (the credential change commits with it). From the commit on, every older session
   * reads as ended on every instance, before any job marks its row (`markEndedByEpoch`).
   */
  async endAllByEpoch(manager: EntityManager, plan: EpochRevocationPlan): Promise<PendingEpochRevocation> {
    const at = plan.counted?.at ?? new Date();
    const revoked = plan.counted?.active ?? (await this.sessions.countActiveForUser(plan.userId, plan.keptSessionId, at, manager));
    const epoch = await this.sessions.bumpEpoch(plan.userId, plan.reason, at, manager);
    await this.auditLog.record(manager, ...plan.audit(revoked, at));
    return {
      epoch,
      revoked,
      at,
      announce: async () => {
        this.events.endedHere(plan.reason, revoked);
        await this.events.announceEnded({
          userId: plan.userId,
          sessionIds: [],
          reason: plan.notify ? plan.reason : null,
          allOfUser: true,
          exceptSessionId: plan.keptSessionId,
        });
      },
    };
  }

  /**
   * The clean-up after an epoch bump: marks the rows it ended (their refresh tokens too) in
   * batches, then tells every instance again. Idempotent: a repeated or resumed run marks only
   * what is left. Returns how many rows this run marked.
   */
  async markEndedByEpoch(cleanup: EpochCleanup): Promise<number> {
    const batchSize = this.options.jobs.batchSize;
    let marked = 0;
    for (;;) {
      const ended = await this.sessions.transaction((manager) =>
        this.sessions.endBeforeEpoch(
          cleanup.userId,
          cleanup.epoch,
          { reason: cleanup.reason, at: cleanup.changedAt, byId: cleanup.by?.id ?? null, byEmail: cleanup.by?.email ?? null },
          batchSize,
          manager,
        ),
      );
      marked += ended.length;
      if (ended.length < batchSize) break;
    }
    await this.events.announceEnded({
      userId: cleanup.userId,
      sessionIds: [],
      reason: cleanup.notify ? cleanup.reason : null,
      allOfUser: true,
      exceptSessionId: cleanup.keptSessionId,
    });
    return marked;
  }

  /**
   * Marks expired sessions as ended (`expired_idle` / `expired_absolute`) with their
   * `session_expired` events, in batches until nothing is due. Nothing is announced: every reader
   * already treats an expired session as ended by its times. Returns how many it marked.
   */
  async expireDue(now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.sessions.transaction(async (manager) => {
        const rows = await this.sessions.expireDue(now, EXPIRY_BATCH, manager);
        // Rows an epoch bump had ended (marked here when the clean-up job could not have seen them) expired
        // nothing: the bump's own logout_everywhere event recorded their end.
        const expiredRows = rows.filter((session) => session.endReason === 'expired_idle' || session.endReason === 'expired_absolute');
        await this.auditLog.record(
          manager,
          ...expiredRows.map((session) => ({
            type: 'session_expired' as const,
            actor: null,
            userId: session.userId,
            sessionId: session.id,
            reason: session.endReason,
            at: session.endedAt ?? now,
            metadata: { ip: session.ip },
          })),
        );
        return rows;
      });
      for (const reason of ['expired_idle', 'expired_absolute'] as const) {
        this.events.endedHere(reason, expired.filter((session) => session.endReason === reason).length);
      }
      total += expired.length;
      if (expired.length < EXPIRY_BATCH) return total;
    }
  }

  private async announce(ended: EndedSession[], reason: SessionEndReason, notify: boolean): Promise<void> {
    this.events.endedHere(reason, ended.length);
    const byUser = new Map<string, string[]>();
    for (const session of ended) byUser.set(session.userId, [...(byUser.get(session.userId) ?? []), session.id]);
    await Promise.all(
      [...byUser].map(([userId, sessionIds]) =>
        this.events.announceEnded({ userId, sessionIds, reason: notify ? reason : null, allOfUser: false, exceptSessionId: null }),
      ),
    );
  }
}
