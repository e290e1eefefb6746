import { BadRequestException, HttpStatus, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import { DevicesService } from '../devices/devices.service.js';
import type { SessionResponse } from '../devices/session.response.js';
import { EpochRevocations } from '../jobs/epoch-revocations.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { type RevocationResult, SessionRevoker } from '../sessions/session-revoker.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { SignoffUser } from '../users/users-provider.js';
import { describeRevokeFilter, REVOKE_FILTER_FIELDS, type RevokeFilterInput, toRevokeFilter } from './revoke-filter.js';

/** The outcome of a bulk revocation by filter. */
export interface FilterRevocationResult {
  matched: number;
  revoked: number;
}

const NO_SUCH_USER = 'No such user.';
const NO_SUCH_SESSION = 'No such active session for this user.';

/**
 * The admin's use cases: every user's sessions, and revoking them. Each revocation needs a fresh
 * admin session, ends sessions with `revoked_by_admin` and the admin as `endedBy`, commits with its
 * audit events (actor = the admin, user = the target, the admin's text as `note`), and then tells
 * every instance.
 */
@Injectable()
export class AdminSessionsService {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly revoker: SessionRevoker,
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly auditLog: AuditLogService,
    private readonly epochs: EpochRevocations,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * A user's active sessions (and, with `includeEnded`, those ended in the last 30 days), newest
   * activity first. 404 when the user does not exist. The read itself is audited.
   */
  async listSessions(admin: RequestAuth, userId: string, includeEnded: boolean, client: ClientContext): Promise<SessionResponse[]> {
    const user = await this.requireUser(userId);
    const sessions = await this.devices.listForUser(user.id, admin.session.id, includeEnded);
    await this.auditLog.recordAlone({
      type: 'admin_sessions_viewed',
      actor: actorOf(admin),
      userId: user.id,
      sessionId: admin.session.id,
      client,
      metadata: { include: includeEnded ? 'ended' : 'active', count: sessions.length },
    });
    return sessions;
  }

  /** Ends one active session of the user. 404 when it is not that user's active session (another user's included). */
  async revokeSession(admin: RequestAuth, userId: string, sessionId: string, note: string | undefined, client: ClientContext): Promise<RevocationResult> {
    this.sessions.assertFresh(admin.session);
    const user = await this.requireUser(userId);
    const ended = await this.revokeOfUser(admin, user, [sessionId], note, client);
    if (ended.length === 0) throw new NotFoundException({ statusCode: HttpStatus.NOT_FOUND, message: NO_SUCH_SESSION });
    return { revoked: ended.length, endedCurrent: ended.includes(admin.session.id) };
  }

  /** Ends the given sessions of the user; ids that are not the user's active sessions are skipped and not counted. */
  async revokeSessions(admin: RequestAuth, userId: string, sessionIds: string[], note: string | undefined, client: ClientContext): Promise<RevocationResult> {
    this.sessions.assertFresh(admin.session);
    const user = await this.requireUser(userId);
    const ended = await this.revokeOfUser(admin, user, [...new Set(sessionIds.map((id) => id.toLowerCase()))], note, client);
    return { revoked: ended.length, endedCurrent: ended.includes(admin.session.id) };
  }

  /** Ends every active session of the user with one `logout_everywhere` event carrying the count. */
  async logoutEverywhere(admin: RequestAuth, userId: string, note: string | undefined, client: ClientContext): Promise<RevocationResult> {
    this.sessions.assertFresh(admin.session);
    const user = await this.requireUser(userId);
    const by = actorOf(admin);
    const result = await this.epochs.logoutEverywhere({
      userId: user.id,
      reason: 'revoked_by_admin',
      by,
      keptSessionId: null,
      audit: (count, at, sessionIds) => [
        {
          type: 'logout_everywhere',
          actor: by,
          userId: user.id,
          sessionId: null,
          client,
          reason: 'revoked_by_admin',
          note: note ?? null,
          metadata: { count, ...(sessionIds ? { sessionIds } : {}) },
          at,
        },
      ],
    });
    // Every active session of the user ended: the admin's own among them when the admin is that user.
    const endedCurrent = result.endedSessionIds ? result.endedSessionIds.includes(admin.session.id) : user.id === admin.user.id;
    return { revoked: result.revoked, endedCurrent };
  }

  /**
   * Ends every active session matching the filter, across users, never the calling admin's own
   * session. With `dryRun` it only counts (no step-up needed, nothing written). Writes one
   * `sessions_revoked_by_filter` event with the filter and count, and one `session_revoked` per session.
   */
  async revokeByFilter(
    admin: RequestAuth,
    input: RevokeFilterInput & { dryRun?: boolean; note: string },
    client: ClientContext,
  ): Promise<FilterRevocationResult> {
    const filter = toRevokeFilter(input);
    if (!filter) {
      throw new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        message: `Give at least one filter (${REVOKE_FILTER_FIELDS.join(', ')}): an empty filter would end every session of every user.`,
      });
    }
    if (input.dryRun) {
      return { matched: await this.sessionRepository.countMatching(filter, admin.session.id, new Date()), revoked: 0 };
    }
    this.sessions.assertFresh(admin.session);
    const by = actorOf(admin);
    const common = { actor: by, client, reason: 'revoked_by_admin', note: input.note } as const;
    const ended = await this.revoker.revoke(
      { filter, exceptSessionId: admin.session.id },
      {
        reason: 'revoked_by_admin',
        by,
        auditEach: { ...common, type: 'session_revoked', metadata: { byFilter: true } },
        audit: (endedSessions, at) => [
          {
            ...common,
            type: 'sessions_revoked_by_filter',
            at,
            userId: null,
            sessionId: null,
            metadata: { filter: describeRevokeFilter(filter), count: endedSessions.length },
          },
        ],
      },
    );
    return { matched: ended.length, revoked: ended.length };
  }

  private async revokeOfUser(admin: RequestAuth, user: SignoffUser, sessionIds: string[], note: string | undefined, client: ClientContext): Promise<string[]> {
    const ended = await this.revoker.revoke(
      { userId: user.id, sessionIds },
      {
        reason: 'revoked_by_admin',
        by: actorOf(admin),
        auditEach: { type: 'session_revoked', actor: actorOf(admin), client, reason: 'revoked_by_admin', note: note ?? null },
      },
    );
    return ended.map((session) => session.id);
  }

  private async requireUser(userId: string): Promise<SignoffUser> {
    const user = await this.options.users.findById(userId.toLowerCase());
    if (!user) throw new NotFoundException({ statusCode: HttpStatus.NOT_FOUND, message: NO_SUCH_USER });
    return user;
  }
}

function actorOf(auth: RequestAuth): { id: string; email: string } {
  return { id: auth.user.id, email: auth.user.email };
}
