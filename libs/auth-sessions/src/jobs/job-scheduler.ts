import { InjectQueue } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuthSessionsProcessor } from './auth-sessions.processor.js';
import {
  AUTH_SESSIONS_QUEUE,
  JOB_EXPIRE_SESSIONS,
  JOB_PRUNE_AUDIT_EVENTS,
  JOB_PRUNE_ENDED_SESSIONS,
  JOB_RETRY_OPTIONS,
  JOB_SEAL_AUDIT_EVENTS,
} from './auth-sessions.queue.js';
import { withDeadline } from '../common/deadline.js';
import { BullConnections } from './bullmq-connections.js';

const RETRY_MS = 5_000;
/** How long shutdown waits for Redis to answer a PING before it treats Redis as gone. */
const SHUTDOWN_PROBE_MS = 1_000;

/**
 * Starts the worker (unless `runWorkers` is false) and keeps the repeating jobs scheduled. Redis
 * being down at start-up does not stop the app: scheduling is retried until it succeeds. On
 * shutdown it keeps an unreachable Redis from holding the process (see `beforeApplicationShutdown`).
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobScheduler.name);
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private isScheduling = false;
  private isShuttingDown = false;
  /** The scheduling under way (or the last one), which shutdown lets finish before closing the queue. */
  private scheduling: Promise<void> = Promise.resolve();
  private readonly queueConnections: BullConnections;
  private workerConnections: BullConnections | null = null;

  constructor(
    @InjectQueue(AUTH_SESSIONS_QUEUE) private readonly queue: Queue,
    // Null with `runWorkers: false`: the module then creates no worker at all (see AuthSessionsModule).
    @Optional() @Inject(AuthSessionsProcessor) private readonly processor: AuthSessionsProcessor | null,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {
    this.queueConnections = new BullConnections(queue);
  }

  onApplicationBootstrap(): void {
    if (this.processor) {
      this.applyWorkerOptions(this.processor);
      this.workerConnections = new BullConnections(this.processor.worker);
      void this.processor.worker.run().catch((error: Error) => this.logger.error(`Worker stopped: ${error.message}`));
    }
    // A Redis that comes back without its data (a restart without persistence, a failover to a
    // replica that missed them) has lost the schedules too: set them again after every disconnection.
    this.queue.on('ioredis:close', () => {
      if (!this.isScheduling && !this.isShuttingDown) this.scheduling = this.schedule();
    });
    this.scheduling = this.schedule();
  }

  /**
   * Runs before any module's `onApplicationShutdown`, where @nestjs/bullmq closes the worker and the
   * queue and waits for Redis to take their QUIT: with Redis unreachable that wait lasts until it
   * is back. So the worker is closed here first, gracefully while Redis answers (the running job
   * finishes and is recorded) and forced when it does not (the job cannot be recorded anyway; it
   * stays active in Redis and another worker takes it over once its lock expires, as after a
   * crash). Connections that cannot reach Redis, now or later during the close, are ended; so are
   * all of them when Redis does not answer a PING within a second (a stopped server, a network that
   * drops packets: ioredis still sees the connections up, and QUIT would wait out the host's whole
   * shutdown timeout). Queued work is safe either way: an outbox entry is marked relayed only once
   * BullMQ has its job.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.isShuttingDown = true;
    clearTimeout(this.retryTimer);
    const workerConnections = this.workerConnections;
    const [workerAnswers, queueAnswers] = await Promise.all([
      workerConnections ? workerConnections.answersWithin(SHUTDOWN_PROBE_MS) : true,
      this.queueConnections.answersWithin(SHUTDOWN_PROBE_MS),
      // An app closed right after it started: let the schedules land rather than cut them off.
      withDeadline(this.scheduling, SHUTDOWN_PROBE_MS, () => undefined),
    ]);
    if (this.processor && workerConnections) {
      void this.processor.worker.close(!workerAnswers).catch(() => undefined);
      endConnections(workerConnections, workerAnswers);
    }
    endConnections(this.queueConnections, queueAnswers);
  }

  // @Processor() takes static options, but lock duration and stalled interval are module options
  // here; the worker is created with autorun off, so they can still be set before it starts.
  private applyWorkerOptions(processor: AuthSessionsProcessor): void {
    const worker = processor.worker as unknown as {
      opts: { lockDuration: number; lockRenewTime: number; stalledInterval: number };
      createLockManager(): void;
    };
    const { lockDurationMs, stalledIntervalMs } = this.options.jobs;
    Object.assign(worker.opts, { lockDuration: lockDurationMs, lockRenewTime: lockDurationMs / 2, stalledInterval: stalledIntervalMs });
    worker.createLockManager();
  }

  private async schedule(): Promise<void> {
    this.isScheduling = true;
    try {
      await this.queue.upsertJobScheduler(
        JOB_EXPIRE_SESSIONS,
        { every: this.options.expirySweepEveryMs },
        { name: JOB_EXPIRE_SESSIONS, data: {}, opts: { removeOnComplete: 100, removeOnFail: 1000 } },
      );
      await this.queue.upsertJobScheduler(
        JOB_SEAL_AUDIT_EVENTS,
        { every: this.options.auditSealEveryMs },
        { name: JOB_SEAL_AUDIT_EVENTS, data: {}, opts: { removeOnComplete: 100, removeOnFail: 1000 } },
      );
      // Daily at 03:17 UTC, away from the top of the hour when other jobs cluster.
      await this.queue.upsertJobScheduler(
        JOB_PRUNE_AUDIT_EVENTS,
        { pattern: '17 3 * * *', tz: 'UTC' },
        { name: JOB_PRUNE_AUDIT_EVENTS, data: {}, opts: JOB_RETRY_OPTIONS },
      );
      // Daily at 03:47 UTC; removed when retention is off, so that a host that turns it off stops the runs.
      if (this.options.sessionRetentionDays === null) await this.queue.removeJobScheduler(JOB_PRUNE_ENDED_SESSIONS);
      else {
        await this.queue.upsertJobScheduler(
          JOB_PRUNE_ENDED_SESSIONS,
          { pattern: '47 3 * * *', tz: 'UTC' },
          { name: JOB_PRUNE_ENDED_SESSIONS, data: {}, opts: JOB_RETRY_OPTIONS },
        );
      }
      if (this.failedAttempts > 0) this.logger.log(`Scheduled the repeating jobs after ${this.failedAttempts} failed attempts`);
      this.failedAttempts = 0;
      this.isScheduling = false;
    } catch (error) {
      // The queue closing under it at shutdown is no failure to report.
      if (this.isShuttingDown) return;
      // Logged once, not every RETRY_MS while Redis is down (its outage has a log line of its own).
      if (this.failedAttempts++ === 0)
        this.logger.warn(`Could not schedule ${JOB_EXPIRE_SESSIONS} (${(error as Error).message}); retrying every ${RETRY_MS / 1000} s`);
      this.retryTimer = setTimeout(() => {
        this.scheduling = this.schedule();
      }, RETRY_MS);
      this.retryTimer.unref();
    }
  }
}

/**
 * Ends the connections of a queue or worker that cannot reach Redis, now or later during the close;
 * all of them when every one is up but Redis did not answer.
 */
function endConnections(connections: BullConnections, answers: boolean): void {
  if (answers || !connections.isReachable) connections.endUnreachable();
  else connections.endAll();
}
