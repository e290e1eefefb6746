import { Injectable } from '@nestjs/common';
import { SecurityEvents, type SecurityEventSource } from '../audit/security-events.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { toSessionResponse, type SessionResponse } from './session.response.js';

const HISTORY_DAYS = 30;

/** Lists a user's sessions as devices. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly securityEvents: SecurityEvents,
  ) {}

  /**
   * The user's active sessions, newest activity first, with `currentSessionId` marked; with
   * `includeEnded`, also those ended in the last 30 days. Expired rows count as ended.
   */
  async listForUser(userId: string, currentSessionId: string | null, includeEnded: boolean): Promise<SessionResponse[]> {
    const now = new Date();
    const since = includeEnded ? new Date(now.getTime() - HISTORY_DAYS * 86_400_000) : null;
    const rows = await this.sessionRepository.listForUser(userId, since);
    return rows
      .map((row) => toSessionResponse(row, currentSessionId, now))
      .filter((session) => (includeEnded ? !session.endedAt || session.endedAt >= since! : !session.endedAt));
  }

  /**
   * After a 404 on one of the caller's sessions: logs `malicious_direct_reference` (AUD-06) when the
   * id names a session that exists and is another user's, and nothing for an unknown id or one of
   * the caller's own ended sessions. Never throws: the caller's answer stays the 404.
   */
  async reportForeignSessionReference(auth: RequestAuth, sessionId: string, source: SecurityEventSource): Promise<void> {
    try {
      const found = await this.sessionRepository.findById(sessionId);
      if (!found || found.session.userId === auth.user.id) return;
      this.securityEvents.record('malicious_direct_reference', source, {
        code: 'not_found',
        sessionId: auth.session.id,
        userId: auth.user.id,
        requestedSessionId: sessionId,
      });
    } catch {
      // The log line is lost with the store; the refusal it would describe stands.
    }
  }
}
