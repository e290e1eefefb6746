import { Injectable, NotFoundException } from '@nestjs/common';
import type { ClientContext } from '../common/client-context.js';
import { EpochRevocations } from '../jobs/epoch-revocations.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { type RevocationResult, SessionRevoker } from '../sessions/session-revoker.js';
import { sessionStateAt } from '../sessions/session-state.js';
import { SessionsService } from '../sessions/sessions.service.js';

/**
 * Logout, logout everywhere and revoking one's own sessions. Each change commits with its audit
 * events in one transaction, and every instance has been told, before it returns.
 */
@Injectable()
export class LogoutService {
  constructor(
    private readonly revoker: SessionRevoker,
    private readonly sessionRepository: SessionRepository,
    private readonly sessions: SessionsService,
    private readonly epochs: EpochRevocations,
  ) {}

  /**
   * Ends the caller's session with reason `logout` and writes one `logout` event.
   * Without a valid session it changes nothing and writes nothing (logout is idempotent).
   */
  async logoutCurrent(auth: RequestAuth | undefined, client: ClientContext): Promise<void> {
    if (!auth) return;
    await this.revoker.revoke(
      { userId: auth.user.id, sessionIds: [auth.session.id] },
      {
        reason: 'logout',
        by: actorOf(auth),
        auditEach: { type: 'logout', actor: actorOf(auth), client, reason: 'logout' },
      },
    );
  }

  /**
   * Ends every session of the user with reason `logout_everywhere`, the current one too unless
   * `keepCurrent` (which needs a fresh session). Writes one `logout_everywhere` event with the count.
   */
  async logoutEverywhere(auth: RequestAuth, client: ClientContext, keepCurrent: boolean): Promise<RevocationResult> {
    if (keepCurrent) this.sessions.assertFresh(auth.session);
    const result = await this.epochs.logoutEverywhere({
      userId: auth.user.id,
      reason: 'logout_everywhere',
      by: actorOf(auth),
      keptSessionId: keepCurrent ? auth.session.id : null,
      audit: (count, at, sessionIds) => [
        {
          type: 'logout_everywhere',
          actor: actorOf(auth),
          userId: auth.user.id,
          sessionId: auth.session.id,
          client,
          reason: 'logout_everywhere',
          metadata: { count, keptCurrent: keepCurrent, ...(sessionIds ? { sessionIds } : {}) },
          at,
        },
      ],
    });
    return { revoked: result.revoked, endedCurrent: !keepCurrent };
  }

  /**
   * Ends one of the caller's own active sessions with reason `revoked_by_user`. 404 when it is not
   * the caller's active session; step-up unless it is the current one.
   */
  async revokeOwnSession(auth: RequestAuth, sessionId: string, client: ClientContext): Promise<RevocationResult> {
    const isCurrent = sessionId === auth.session.id;
    const found = isCurrent ? null : await this.sessionRepository.findForUser(auth.user.id, sessionId);
    if (!isCurrent && (!found || sessionStateAt(found.session, found.userEpoch, new Date()).status !== 'active')) {
      throw noSuchSession();
    }
    if (!isCurrent) this.sessions.assertFresh(auth.session);
    const ended = await this.revoker.revoke(
      { userId: auth.user.id, sessionIds: [sessionId] },
      {
        reason: 'revoked_by_user',
        by: actorOf(auth),
        auditEach: { type: 'session_revoked', actor: actorOf(auth), client, reason: 'revoked_by_user' },
      },
    );
    if (ended.length === 0) throw noSuchSession();
    return { revoked: ended.length, endedCurrent: isCurrent };
  }
}

function actorOf(auth: RequestAuth): { id: string; email: string } {
  return { id: auth.user.id, email: auth.user.email };
}

function noSuchSession(): NotFoundException {
  return new NotFoundException({ statusCode: 404, message: 'No such active session.' });
}
