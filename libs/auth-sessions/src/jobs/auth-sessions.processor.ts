import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, Optional } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AuthRedis } from '../common/auth-redis.js';
import { DatabaseOutageLog } from '../common/database-outage-log.js';
import { AuditRetentionService } from '../audit/audit-retention.service.js';
import { AuditSealer } from '../audit/audit-sealer.js';
import { AuthMetrics } from '../metrics/auth-metrics.service.js';
import { SessionRevoker } from '../sessions/session-revoker.js';
import { RETENTION_SLICE_MS, RetentionService } from './retention.service.js';
import {
  AUTH_SESSIONS_QUEUE,
  type CredentialChangeCleanupJob,
  JOB_CREDENTIAL_CHANGE_CLEANUP,
  JOB_EXPIRE_SESSIONS,
  JOB_PRUNE_AUDIT_EVENTS,
  JOB_PRUNE_ENDED_SESSIONS,
  JOB_RETRY_OPTIONS,
  JOB_SEAL_AUDIT_EVENTS,
  LEGACY_JOB_CREDENTIAL_CHANGE_CLEANUP,
} from './auth-sessions.queue.js';

/** Runs the library's jobs; each job calls one service method. */
@Processor(AUTH_SESSIONS_QUEUE, { autorun: false })
export class AuthSessionsProcessor extends WorkerHost {
  private readonly logger = new Logger(AuthSessionsProcessor.name);

  constructor(
    private readonly revoker: SessionRevoker,
    private readonly auditSealer: AuditSealer,
    private readonly auditRetention: AuditRetentionService,
    private readonly retention: RetentionService,
    private readonly redis: AuthRedis,
    private readonly database: DatabaseOutageLog,
    @Optional() @Inject(AuthMetrics) private readonly metrics: AuthMetrics | null,
    private readonly queue: Queue,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JOB_EXPIRE_SESSIONS:
        return this.repeating(async () => {
          const expired = await this.revoker.expireDue();
          if (expired > 0) this.logger.log(`Marked ${expired} expired sessions as ended`);
          return { expired };
        });
      case JOB_CREDENTIAL_CHANGE_CLEANUP:
      case LEGACY_JOB_CREDENTIAL_CHANGE_CLEANUP: {
        const data = job.data as CredentialChangeCleanupJob;
        return { marked: await this.revoker.markEndedByEpoch({ ...data, changedAt: new Date(data.changedAt), by: data.endedBy ?? null }) };
      }
      case JOB_SEAL_AUDIT_EVENTS:
        return this.repeating(() => this.auditSealer.sealPending());
      case JOB_PRUNE_AUDIT_EVENTS:
        return { deleted: await this.auditRetention.prune() };
      case JOB_PRUNE_ENDED_SESSIONS: {
        // Null (nothing deleted) when retention was turned off after the run was scheduled.
        const slice = await this.retention.pruneWithin(RETENTION_SLICE_MS);
        if (!slice) return null;
        // The rest goes behind the jobs waiting now (sealing, expiry, clean-ups), not ahead of them.
        if (!slice.finished) await this.queue.add(JOB_PRUNE_ENDED_SESSIONS, {}, JOB_RETRY_OPTIONS);
        return { ...slice.run, continued: !slice.finished };
      }
      default:
        throw new Error(`Unknown job "${job.name}" on queue ${AUTH_SESSIONS_QUEUE}; is a newer version of Signoff enqueuing it?`);
    }
  }

  /**
   * A run of a job that repeats every few seconds and catches up on its next run (marking expired
   * sessions, sealing the audit chain). With PostgreSQL unreachable the run is skipped, not failed:
   * a failed run would be an error line and a job left in the failed set every few seconds of the
   * outage, and an alert on failed jobs after it, for work the next run does anyway. The outage is
   * logged once (`DatabaseOutageLog`); any other error fails the job as before.
   */
  private async repeating<T>(run: () => Promise<T>): Promise<T | { skipped: 'database_unavailable' }> {
    try {
      const result = await run();
      this.database.succeeded();
      return result;
    } catch (error) {
      if (this.database.failed(error)) return { skipped: 'database_unavailable' };
      throw error;
    }
  }

  /** Connection errors of the worker go to the library's Redis outage log (BullMQ prints them otherwise). */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.redis.outage.echo('BullMQ worker', error);
  }

  /** A failed run is logged and counted; once retries are exhausted the job stays in the failed set. */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    if (!job) return;
    const isFinal = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.metrics?.jobFailed(job.name, isFinal);
    const message = `Job ${job.name} (${job.id}) failed on attempt ${job.attemptsMade}: ${error.message}`;
    if (isFinal) this.logger.error(`${message}; no retries left, it stays in the failed set`);
    else this.logger.warn(`${message}; retrying`);
  }
}
