import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { SessionExpiryService } from '../sessions/session-expiry.service.js';
import { AUTH_SESSIONS_QUEUE, JOB_EXPIRE_SESSIONS } from './auth-sessions.queue.js';

/** Runs the library's jobs; each job calls one service method. */
@Processor(AUTH_SESSIONS_QUEUE, { autorun: false })
export class AuthSessionsProcessor extends WorkerHost {
  private readonly logger = new Logger(AuthSessionsProcessor.name);

  constructor(private readonly expiry: SessionExpiryService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JOB_EXPIRE_SESSIONS: {
        const expired = await this.expiry.expireDue();
        if (expired > 0) this.logger.log(`Marked ${expired} expired sessions as ended`);
        return { expired };
      }
      default:
        throw new Error(`Unknown job "${job.name}" on queue ${AUTH_SESSIONS_QUEUE}; is a newer version of Signoff enqueuing it?`);
    }
  }
}
