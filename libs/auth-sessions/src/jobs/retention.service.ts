import { Inject, Injectable, Logger } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { OutboxRepository } from './outbox.repository.js';

/** Days an outbox entry is kept once BullMQ has its job: long enough to look into a job's history. */
export const RELAYED_OUTBOX_RETENTION_DAYS = 7;

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

  /** Whether the library prunes at all (`sessionRetentionDays` is not false). */
  get isEnabled(): boolean {
    return this.options.sessionRetentionDays !== null;
  }

  /** Deletes what is past its retention at `now`; null, deleting nothing, with `sessionRetentionDays: false`. */
  async prune(now = new Date()): Promise<RetentionRun | null> {
    const days = this.options.sessionRetentionDays;
    if (days === null) return null;
    const limit = this.options.jobs.batchSize;
    const run: RetentionRun = { sessions: 0, refreshTokens: 0, outboxEntries: 0 };
    const sessionCutoff = new Date(now.getTime() - days * DAY_MS);
    for (;;) {
      const batch = await this.sessions.transaction((manager) => this.sessions.deleteEndedBefore(sessionCutoff, limit, manager));
      run.sessions += batch.sessions;
      run.refreshTokens += batch.refreshTokens;
      if (batch.sessions < limit) break;
    }
    const outboxCutoff = new Date(now.getTime() - RELAYED_OUTBOX_RETENTION_DAYS * DAY_MS);
    for (;;) {
      const deleted = await this.outbox.deleteRelayedBefore(outboxCutoff, limit);
      run.outboxEntries += deleted;
      if (deleted < limit) break;
    }
    if (run.sessions + run.outboxEntries > 0) {
      this.logger.log(
        `Deleted ${run.sessions} sessions ended before ${sessionCutoff.toISOString()} (${days} days) with their ${run.refreshTokens} refresh tokens, ` +
          `and ${run.outboxEntries} outbox entries relayed before ${outboxCutoff.toISOString()}`,
      );
    }
    return run;
  }
}
