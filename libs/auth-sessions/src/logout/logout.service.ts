import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionCookies } from '../sessions/session-cookies.js';
import { SessionEvents } from '../sessions/session-events.js';
import { SessionRepository, type SessionEnd } from '../sessions/session.repository.js';
import { sessionStateAt } from '../sessions/session-state.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { safeReturnTo } from './return-to.js';

/** The outcome of ending sessions: how many, and whether the caller's own session was among them. */
export interface RevocationResult {
  revoked: number;
  endedCurrent: boolean;
}

/**
 * Logout, logout everywhere and revoking one's own sessions. Each change commits with its audit
 * events in one transaction, before the response is sent.
 */
@Injectable()
export class LogoutService {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly sessions: SessionsService,
    private readonly auditLog: AuditLogService,
    private readonly cookies: SessionCookies,
    private readonly events: SessionEvents,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * Ends the caller's session with reason `logout` and writes one `logout` event.
   * Without a valid session it changes nothing and writes nothing (logout is idempotent).
   */
  async logoutCurrent(auth: RequestAuth | undefined, client: ClientContext): Promise<void> {
    if (!auth) return;
    const ended = await this.sessionRepository.transaction(async (manager) => {
      const ended = await this.sessionRepository.revoke(auth.user.id, [auth.session.id], this.endBy(auth, 'logout'), manager);
      if (ended.length === 0) return ended;
      await this.auditLog.record(manager, {
        type: 'logout',
        actor: actorOf(auth),
        userId: auth.user.id,
        sessionId: auth.session.id,
        client,
        reason: 'logout',
      });
      return ended;
    });
    await this.events.publishEnded({ userId: auth.user.id, sessionIds: ended, reason: 'logout' });
  }

  /**
   * Ends every session of the user with reason `logout_everywhere`, the current one too unless
   * `keepCurrent` (which needs a fresh session). Writes one `logout_everywhere` event with the count.
   */
  async logoutEverywhere(auth: RequestAuth, client: ClientContext, keepCurrent: boolean): Promise<RevocationResult> {
    if (keepCurrent) this.sessions.assertFresh(auth.session);
    const ended = await this.sessionRepository.transaction(async (manager) => {
      const end = this.endBy(auth, 'logout_everywhere');
      const ended = keepCurrent
        ? await this.sessionRepository.revokeAllForUserExcept(auth.user.id, auth.session.id, end, manager)
        : await this.sessionRepository.revokeAllForUser(auth.user.id, end, manager);
      await this.auditLog.record(manager, {
        type: 'logout_everywhere',
        actor: actorOf(auth),
        userId: auth.user.id,
        sessionId: auth.session.id,
        client,
        reason: 'logout_everywhere',
        metadata: { count: ended.length, keptCurrent: keepCurrent, sessionIds: ended },
        at: end.at,
      });
      return ended;
    });
    await this.events.publishEnded({ userId: auth.user.id, sessionIds: ended, reason: 'logout_everywhere' });
    return { revoked: ended.length, endedCurrent: !keepCurrent };
  }

  /**
   * Ends one of the caller's own active sessions with reason `revoked_by_user`. 404 when it is not
   * the caller's active session; step-up unless it is the current one.
   */
  async revokeOwnSession(auth: RequestAuth, sessionId: string, client: ClientContext): Promise<RevocationResult> {
    const isCurrent = sessionId === auth.session.id;
    const found = isCurrent ? null : await this.sessionRepository.findForUser(auth.user.id, sessionId);
    if (!isCurrent && (!found || sessionStateAt(found.session, found.userEpoch, new Date()).status !== 'active')) {
      throw new NotFoundException({ statusCode: 404, message: 'No such active session.' });
    }
    if (!isCurrent) this.sessions.assertFresh(auth.session);
    const endedIds = await this.sessionRepository.transaction(async (manager) => {
      const end = this.endBy(auth, 'revoked_by_user');
      const ids = await this.sessionRepository.revoke(auth.user.id, [sessionId], end, manager);
      await this.auditLog.record(
        manager,
        ...ids.map((id) => ({
          type: 'session_revoked' as const,
          actor: actorOf(auth),
          userId: auth.user.id,
          sessionId: id,
          client,
          reason: 'revoked_by_user',
          at: end.at,
        })),
      );
      return ids;
    });
    if (endedIds.length === 0) throw new NotFoundException({ statusCode: 404, message: 'No such active session.' });
    await this.events.publishEnded({ userId: auth.user.id, sessionIds: endedIds, reason: 'revoked_by_user' });
    return { revoked: endedIds.length, endedCurrent: isCurrent };
  }

  /**
   * Answers for a request whose own session just ended: clears both cookies with their original
   * attributes and sends `Clear-Site-Data`. Returns where the client should go next.
   */
  endClientSession(res: Response, returnTo?: unknown): string {
    this.cookies.clear(res);
    res.setHeader('Cache-Control', 'no-store');
    if (this.options.clearSiteData.length > 0) {
      res.setHeader('Clear-Site-Data', this.options.clearSiteData.map((directive) => `"${directive}"`).join(', '));
    }
    return safeReturnTo(returnTo, this.options.publicOrigin, this.options.logoutRedirect);
  }

  private endBy(auth: RequestAuth, reason: SessionEnd['reason']): SessionEnd {
    return { reason, at: new Date(), byId: auth.user.id, byEmail: auth.user.email };
  }
}

function actorOf(auth: RequestAuth): { id: string; email: string } {
  return { id: auth.user.id, email: auth.user.email };
}
