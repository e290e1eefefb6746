import { Injectable } from '@nestjs/common';
import { SecurityEvents, type SecurityEventSource } from '../audit/security-events.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionRepository } from '../sessions/session.repository.js';

/**
 * After a 404 on `DELETE /auth/sessions/:id`, tells an unknown id from another user's session, which
 * the answer must not (no oracle), for the security log (AUD-06: `malicious_direct_reference`).
 */
@Injectable()
export class ForeignSessionReferences {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly securityEvents: SecurityEvents,
  ) {}

  /**
   * Logs `malicious_direct_reference` when `sessionId` names a session that exists and is another
   * user's; nothing for an unknown id or one of the caller's own ended sessions. Never throws: the
   * caller's answer stays the 404.
   */
  async report(auth: RequestAuth, sessionId: string, source: SecurityEventSource): Promise<void> {
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
