import { Inject, Injectable, Logger } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { OutboxRepository } from './outbox.repository.js';

/** Days an outbox entry is kept once BullMQ has its job: long enough to look into a job's history. */
export const RELAYED_OUTBOX_RETENTION_DAYS = 7;
/** How long one run of the daily job prunes before it queues the rest as another run. */
export const RETENTION_SLICE_MS = 5_000;

const DAY_MS = 86_400_000;

/** What one prune deleted. */
export interface RetentionRun {
  /** Sessions that had ended more than `sessionRetentionDays` ago. */
  sessions: number;
  /** Their refresh tokens. */
  refreshTokens: number;
  /** Outbox entries relayed more than 7 days ago. */
  outboxEntries: number;
}

/**
 * The retention of what ending sessions leaves behind: ended sessions and their refresh tokens past
 * `sessionRetentionDays`, relayed outbox entries past a week. Deletes in batches of `jobs.batchSize`,
 * each its own transaction, so no lock is held long and a run stopped half-way loses nothing (the next
 * one goes on). Audit events have their own retention (AuditRetentionService).
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('AuthSessions');

  constructor(
    private readonly sessions: SessionRepository,
    private readonly outbox: OutboxRepository,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /** Deletes everything past its retention at `now`; null, deleting nothing, with `sessionRetentionDays: false`. */
  async prune(now = new Date()): Promise<RetentionRun | null> {
    return (await this.pruneWithin(Number.POSITIVE_INFINITY, now))?.run ?? null;
  }

  /**
   * Deletes what is past its retention at `now`, batch after batch, until none is left or `budgetMs` has
   * passed (the batch under way finishes): `finished` is false when rows may be left. The worker runs one
   * job at a time, so the daily job prunes in slices and queues the rest, and the sealer and the expiry
   * sweep run in between (a first prune after an upgrade can have hundreds of thousands of rows to delete).
   */
  async pruneWithin(budgetMs: number, now = new Date()): Promise<{ run: RetentionRun; finished: boolean } | null> {
    const days = this.options.sessionRetentionDays;
    if (days === null) return null;
    const deadline = performance.now() + budgetMs;
    const limit = this.options.jobs.batchSize;
    const run: RetentionRun = { sessions: 0, refreshTokens: 0, outboxEntries: 0 };
    const sessionCutoff = new Date(now.getTime() - days * DAY_MS);
    const outboxCutoff = new Date(now.getTime() - RELAYED_OUTBOX_RETENTION_DAYS * DAY_MS);
    let finished = false;
    for (let sessionsLeft = true; performance.now() < deadline;) {
      if (sessionsLeft) {
        const batch = await this.sessions.transaction((manager) => this.sessions.deleteEndedBefore(sessionCutoff, limit, manager));
        run.sessions += batch.sessions;
        run.refreshTokens += batch.refreshTokens;
        sessionsLeft = batch.sessions === limit;
      } else {
        const deleted = await this.outbox.deleteRelayedBefore(outboxCutoff, limit);
        run.outboxEntries += deleted;
        if (deleted < limit) {
          finished = true;
          break;
        }
      }
    }
    if (run.sessions + run.outboxEntries > 0) {
      this.logger.log(
        `Deleted ${run.sessions} sessions ended before ${sessionCutoff.toISOString()} (${days} days) with their ${run.refreshTokens} refresh tokens, ` +
          `and ${run.outboxEntries} outbox entries relayed before ${outboxCutoff.toISOString()}${finished ? '' : '; more are left, for the next slice'}`,
      );
    }
    return { run, finished };
  }
}
