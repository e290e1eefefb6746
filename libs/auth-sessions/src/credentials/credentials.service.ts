import { ConflictException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { EntityManager } from 'typeorm';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { CredentialChangeKind, ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { AuditEventType } from '../audit/audit-event-type.js';
import { type ClientContext, clientContextOf } from '../common/client-context.js';
import { JOB_LOGOUT_EVERYWHERE, type LogoutEverywhereJob, logoutEverywhereJobId } from '../jobs/auth-sessions.queue.js';
import { OutboxRelay } from '../jobs/outbox-relay.service.js';
import { OutboxRepository } from '../jobs/outbox.repository.js';
import { LogoutService } from '../logout/logout.service.js';
import type { AuthenticatedRequest, RequestAuth } from '../sessions/request-auth.js';
import { InvalidPasswordError, SessionRejectedError } from '../sessions/session.errors.js';
import { SessionCookies } from '../sessions/session-cookies.js';
import type { SessionEndReason } from '../sessions/session-end-reason.js';
import { SessionEvents } from '../sessions/session-events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { generateSessionToken, hashSessionToken } from '../sessions/session-token.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { type TokenPair, TokensService } from '../tokens/tokens.service.js';
import { EmailTakenError } from '../users/users-provider.js';

const END_REASONS: Record<CredentialChangeKind, SessionEndReason> = {
  password: 'password_change',
  email: 'email_change',
  security_concern: 'security_concern',
};

const EVENT_TYPES: Record<CredentialChangeKind, AuditEventType> = {
  password: 'password_changed',
  email: 'email_changed',
  security_concern: 'security_report',
};

/** What a recorded credential change did; `announce` tells every instance once the transaction committed. */
export interface CredentialChangeReceipt {
  /** How many other sessions the change ended. */
  revoked: number;
  /** The user's new session epoch. */
  epoch: number;
  /** Tells every instance (caches, event streams) and starts the clean-up job. Call it after your commit. */
  announce(): Promise<void>;
}

/** The answer of password, email and security-report: the count, and a bearer caller's new pair. */
export type CredentialChangeResult = { revoked: number } & Partial<TokenPair>;

/**
 * Credential changes log the user out everywhere. The change, the epoch bump that ends every other
 * session, the rotation of the caller's session, the audit events and the outbox row of the
 * clean-up job commit in one transaction, so the effect never waits for a worker or for Redis.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly auditLog: AuditLogService,
    private readonly events: SessionEvents,
    private readonly tokens: TokensService,
    private readonly cookies: SessionCookies,
    private readonly logout: LogoutService,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /** `POST /api/auth/password`: the current password is required (403 `invalid_password`, nothing changes). */
  async changePassword(req: Request, res: Response, currentPassword: string, newPassword: string): Promise<CredentialChangeResult> {
    const auth = requireAuth(req);
    if (!(await this.options.users.verifyPassword(auth.user, currentPassword))) throw new InvalidPasswordError();
    return this.changeForCaller(req, res, 'password', (manager) => this.options.users.changePassword(auth.user.id, newPassword, manager));
  }

  /** `POST /api/auth/email`: the password is required; 409 when the address is taken. */
  async changeEmail(req: Request, res: Response, password: string, newEmail: string): Promise<CredentialChangeResult> {
    const auth = requireAuth(req);
    if (!(await this.options.users.verifyPassword(auth.user, password))) throw new InvalidPasswordError();
    try {
      return await this.changeForCaller(req, res, 'email', (manager) => this.options.users.changeEmail(auth.user.id, newEmail, manager), {
        newEmail,
      });
    } catch (error) {
      if (error instanceof EmailTakenError) {
        throw new ConflictException({ statusCode: HttpStatus.CONFLICT, message: error.message, code: 'email_taken' });
      }
      throw error;
    }
  }

  /** `POST /api/auth/security-report` ("this wasn't me"): ends every session, the caller's included; no step-up. */
  reportSecurityConcern(req: Request, res: Response, note: string | undefined): Promise<CredentialChangeResult> {
    return this.changeForCaller(req, res, 'security_concern', null, note ? { note } : {});
  }

  /**
   * For hosts that change credentials themselves (an email-confirmation link, an admin reset):
   * ends every other session of the user with the trigger's reason and starts the clean-up job.
   * Pass your `manager` to join your transaction, then `await receipt.announce()` after your
   * commit; without a manager the library commits and announces itself.
   * @param keepSessionId a session to keep (moved into the new epoch unchanged)
   */
  async credentialsChanged(
    userId: string,
    kind: CredentialChangeKind,
    options: { keepSessionId?: string; manager?: EntityManager; note?: string } = {},
  ): Promise<CredentialChangeReceipt> {
    const record = async (manager: EntityManager) => {
      const receipt = await this.record(manager, userId, kind, {
        keptSessionId: options.keepSessionId ?? null,
        actor: null,
        client: null,
        sessionId: options.keepSessionId ?? null,
        metadata: options.note ? { note: options.note } : {},
      });
      if (options.keepSessionId) await this.sessionRepository.adoptEpoch(options.keepSessionId, receipt.epoch, null, manager);
      return receipt;
    };
    if (options.manager) return record(options.manager);
    const receipt = await this.sessionRepository.transaction(record);
    await receipt.announce();
    return receipt;
  }

  private async changeForCaller(
    req: Request,
    res: Response,
    kind: CredentialChangeKind,
    change: ((manager: EntityManager) => Promise<void>) | null,
    metadata: Record<string, unknown> = {},
  ): Promise<CredentialChangeResult> {
    const auth = requireAuth(req);
    const keepCurrent = this.options.credentialChanges[kind].keepCurrent;
    const client = clientContextOf(req);
    const token = generateSessionToken();
    const { receipt, pair, rotated } = await this.sessionRepository.transaction(async (manager) => {
      await change?.(manager);
      const receipt = await this.record(manager, auth.user.id, kind, {
        keptSessionId: keepCurrent ? auth.session.id : null,
        actor: { id: auth.user.id, email: auth.user.email },
        client,
        sessionId: auth.session.id,
        metadata,
      });
      if (!keepCurrent) return { receipt, pair: null, rotated: null };
      // The caller stays signed in, with new secrets: the old cookie or tokens get 401 from the commit on.
      const rotation = { tokenHash: hashSessionToken(token), freshAt: new Date() };
      if (!(await this.sessionRepository.adoptEpoch(auth.session.id, receipt.epoch, rotation, manager))) {
        throw new SessionRejectedError('session_ended');
      }
      const rotated = Object.assign(Object.create(Object.getPrototypeOf(auth.session)) as typeof auth.session, auth.session, {
        ...rotation,
        epoch: receipt.epoch,
        generation: auth.session.generation + 1,
      });
      const pair = auth.method === 'bearer' ? await this.tokens.reissue(rotated, manager) : null;
      return { receipt, pair, rotated };
    });
    // Cookies only after the commit: a failed change must leave the browser's session as it was.
    if (rotated && auth.method === 'cookie') this.cookies.set(res, token, this.sessions.cookieMaxAgeSeconds(rotated));
    // Both announcements measure their wait from this commit, so a Redis outage costs one lease, not two.
    await Promise.all([receipt.announce(), keepCurrent ? this.events.publishRotated(auth.user.id, auth.session.id) : undefined]);
    if (!keepCurrent) this.logout.endClientSession(res);
    return { revoked: receipt.revoked, ...pair };
  }

  private async record(
    manager: EntityManager,
    userId: string,
    kind: CredentialChangeKind,
    context: {
      keptSessionId: string | null;
      actor: { id: string; email: string } | null;
      client: ClientContext | null;
      sessionId: string | null;
      metadata: Record<string, unknown>;
    },
  ): Promise<CredentialChangeReceipt> {
    const at = new Date();
    const reason = END_REASONS[kind];
    const revoked = await this.sessionRepository.countActiveForUser(userId, context.keptSessionId, at, manager);
    const epoch = await this.sessionRepository.bumpEpoch(userId, reason, at, manager);
    const base = { actor: context.actor, userId, sessionId: context.sessionId, client: context.client, at };
    await this.auditLog.record(
      manager,
      { ...base, type: EVENT_TYPES[kind], metadata: context.metadata },
      { ...base, type: 'logout_everywhere', reason, metadata: { count: revoked, keptSessionId: context.keptSessionId } },
    );
    const policy = this.options.credentialChanges[kind];
    const job: LogoutEverywhereJob = {
      userId,
      epoch,
      reason,
      keptSessionId: context.keptSessionId,
      changedAt: at.toISOString(),
      notify: policy.notify,
    };
    await this.outbox.add(JOB_LOGOUT_EVERYWHERE, logoutEverywhereJobId(job), job, manager);
    return {
      revoked,
      epoch,
      announce: async () => {
        this.relay.kick();
        await this.events.publishEnded({
          userId,
          sessionIds: [],
          reason,
          allOfUser: true,
          ...(context.keptSessionId ? { exceptSessionId: context.keptSessionId } : {}),
          silent: !policy.notify,
        });
      },
    };
  }
}

function requireAuth(req: Request): RequestAuth {
  const auth = (req as AuthenticatedRequest).auth;
  if (!auth) throw new SessionRejectedError('unauthenticated');
  return auth;
}
