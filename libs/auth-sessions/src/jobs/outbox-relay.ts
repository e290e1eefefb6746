import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { AUTH_SESSIONS_QUEUE, JOB_RETRY_OPTIONS } from './auth-sessions.queue.js';
import { OutboxRepository } from './outbox.repository.js';
import { confirmReplicated } from './replica-ack.js';
import { DatabaseOutageLog } from '../common/database-outage-log.js';
import { withDeadline } from '../common/deadline.js';

const POLL_MS = 1000;
const BATCH = 50;
// BullMQ waits for Redis instead of failing; the relay must give up and retry on its next pass.
const ADD_TIMEOUT_MS = 3000;
const REPLICA_ACK_MS = 1000;

/**
 * Moves outbox entries into BullMQ. Runs on every instance (entries are locked, so each is relayed
 * once at a time); with Redis down the entries wait in PostgreSQL and go out when it is back.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuthSessions');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private isFailing = false;

  constructor(
    @InjectQueue(AUTH_SESSIONS_QUEUE) private readonly queue: Queue,
    private readonly outbox: OutboxRepository,
    private readonly database: DatabaseOutageLog,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Relays pending entries now (after a commit that added one) without waiting for the next poll. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.relayAll().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async relayAll(): Promise<void> {
    try {
      for (;;) {
        const { relayed, failed } = await this.outbox.relayPending(BATCH, (entry) => this.add(entry.jobName, entry.jobId, entry.payload));
        this.database.succeeded();
        if (failed > 0) {
          if (!this.isFailing) this.logger.warn('Outbox relay cannot reach Redis; jobs wait in PostgreSQL');
          this.isFailing = true;
          return;
        }
        if (this.isFailing && relayed > 0) this.logger.log('Outbox relay caught up');
        this.isFailing = false;
        if (relayed < BATCH) return;
      }
    } catch (error) {
      // PostgreSQL unreachable is logged once for the outage, not at every pass (every second).
      if (!this.database.failed(error)) this.logger.warn(`Outbox relay failed: ${(error as Error).message}`);
    }
  }

  private async add(name: string, jobId: string, payload: Record<string, unknown>): Promise<string | null> {
    try {
      await withDeadline(
        // With replicas (Sentinel), an entry counts as relayed only once a replica has the job too.
        this.queue.add(name, payload, { jobId, ...JOB_RETRY_OPTIONS }).then(() => confirmReplicated(this.queue, REPLICA_ACK_MS)),
        ADD_TIMEOUT_MS,
        () => {
          throw new Error('Redis did not answer in time');
        },
      );
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }
}
