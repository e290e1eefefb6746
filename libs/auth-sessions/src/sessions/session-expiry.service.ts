import { Injectable } from '@nestjs/common';
import { AuditLogService } from '../audit/audit-log.service.js';
import { SessionRepository } from './session.repository.js';

const BATCH_SIZE = 1000;

/** Marks expired sessions as ended and writes their `session_expired` events. */
@Injectable()
export class SessionExpiryService {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly auditLog: AuditLogService,
  ) {}

  /** Sweeps in batches until nothing is due; returns how many sessions it marked. */
  async expireDue(now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const marked = await this.sessionRepository.transaction(async (manager) => {
        const sessions = await this.sessionRepository.expireDue(now, BATCH_SIZE, manager);
        await this.auditLog.record(
          manager,
          ...sessions.map((session) => ({
            type: 'session_expired' as const,
            actor: null,
            userId: session.userId,
            sessionId: session.id,
            reason: session.endReason,
            at: session.endedAt ?? now,
            metadata: { ip: session.ip },
          })),
        );
        return sessions.length;
      });
      total += marked;
      if (marked < BATCH_SIZE) return total;
    }
  }
}
