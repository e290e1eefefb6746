import type { INestApplicationContext } from '@nestjs/common';
import { RetentionService } from '../jobs/retention.service.js';

/** What one run of the retention prune deleted. */
export interface RetentionRunForTest {
  /** Sessions that had ended more than `sessionRetentionDays` before `now`. */
  sessions: number;
  /** Their refresh tokens. */
  refreshTokens: number;
  /** Outbox entries relayed to BullMQ more than 7 days before `now`. */
  outboxEntries: number;
}

/**
 * Runs the daily prune of ended sessions now, as the worker does at 03:47 UTC, as if the time were
 * `now` (a date in the future ages every row). Null, deleting nothing, with `sessionRetentionDays: false`.
 * For tests of your own retention rules, or of a database role that must be allowed to prune.
 */
export function runRetentionJobForTest(app: INestApplicationContext, now: Date = new Date()): Promise<RetentionRunForTest | null> {
  return app.get(RetentionService, { strict: false }).prune(now);
}
