import type { INestApplicationContext } from '@nestjs/common';
import { AuditRetentionService } from '../audit/audit-retention.service.js';
import { AuditSealer } from '../audit/audit-sealer.js';

/** What one run of the audit jobs did. */
export interface AuditJobsRunForTest {
  /** Events given their place in the hash chain. */
  sealed: number;
  /** Events deleted for being older than `auditRetentionDays` (the database records the cut as an `audit_pruned` event). */
  pruned: number;
}

/**
 * Runs the library's two audit jobs now, in order, as the worker runs them on their schedule: seals the
 * committed audit events into the hash chain, then prunes the sealed events past `auditRetentionDays`. For
 * tests of the audit log in your own database (a schema, restricted roles) that cannot wait for the schedule.
 */
export async function runAuditJobsForTest(app: INestApplicationContext): Promise<AuditJobsRunForTest> {
  const { sealed } = await app.get(AuditSealer, { strict: false }).sealPending();
  const pruned = await app.get(AuditRetentionService, { strict: false }).prune();
  return { sealed, pruned };
}
