import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { SessionEvents } from '../sessions/session-events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import type { LogoutEverywhereJob } from './auth-sessions.queue.js';

/**
 * The clean-up after a credential change: the epoch bump already ended the sessions; this marks
 * the rows (and revokes their refresh tokens) in batches and republishes the logout notification.
 * Idempotent: a repeated or resumed run marks only what is left and publishes the same message.
 */
@Injectable()
export class LogoutEverywhereService {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly events: SessionEvents,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /** Marks every open session of the user older than the job's epoch; returns how many this run marked. */
  async cleanUp(job: LogoutEverywhereJob): Promise<number> {
    const changedAt = new Date(job.changedAt);
    const batchSize = this.options.jobs.batchSize;
    let marked = 0;
    for (;;) {
      const ended = await this.sessionRepository.transaction((manager) =>
        this.sessionRepository.endBeforeEpoch(job.userId, job.epoch, job.reason, changedAt, batchSize, manager),
      );
      marked += ended.length;
      if (ended.length < batchSize) break;
    }
    await this.events.publishEnded({
      userId: job.userId,
      sessionIds: [],
      reason: job.reason,
      allOfUser: true,
      ...(job.keptSessionId ? { exceptSessionId: job.keptSessionId } : {}),
      silent: !job.notify,
    });
    return marked;
  }
}
