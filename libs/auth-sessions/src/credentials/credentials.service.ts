import { ConflictException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { CredentialChangeKind, ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AuditEventType } from '../audit/audit-event-type.js';
import { foreignManagerError } from '../common/auth-data-source.js';
import type { ClientContext } from '../common/client-context.js';
import { translateStoreErrors } from '../edge/store-errors.js';
import { EpochRevocations } from '../jobs/epoch-revocations.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import type { Session } from '../sessions/session.entity.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import { SessionEvents } from '../sessions/session-events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { AccountThrottle } from '../throttling/account-throttle.js';
import { generateSessionToken, hashSessionToken } from '../sessions/session-token.js';
import { type TokenPair, TokensService } from '../tokens/tokens.service.js';
import { isSameEmail, normalizeEmail } from '../users/email.js';
import { EmailTakenError } from '../users/users-provider.js';
import { CredentialUnchangedError } from './credentials.errors.js';

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

/** What a credential change made by the caller means for the caller's client. */
export interface CredentialChangeOutcome {
  result: CredentialChangeResult;
  /** The caller's session kept with new secrets: a cookie caller gets new cookies for it. */
  rotated: { session: Session; token: string } | null;
  /** Whether the caller's own session ended too (security report): the client must be told it is signed out. */
  endedCurrent: boolean;
}

/**
 * Credential changes log the user out everywhere. The change, the epoch bump that ends every other
 * session, the rotation of the caller's session, the audit events and the outbox row of the
 * clean-up job commit in one transaction, so the effect never waits for a worker or for Redis.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly epochs: EpochRevocations,
    private readonly events: SessionEvents,
    private readonly tokens: TokensService,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    private readonly accountThrottle: AccountThrottle,
  ) {}

  /**
   * `POST /api/auth/password`: the current password is required (403 `invalid_password`, nothing changes);
   * a new password that is the current one is 400 `password_unchanged`, and nothing changes either.
   * @internal
   */
  async changePassword(auth: RequestAuth, client: ClientContext, currentPassword: string, newPassword: string): Promise<CredentialChangeOutcome> {
    await this.accountThrottle.verifySignedInPassword(auth, currentPassword, client, 'password');
    // Only the host's own check can tell whether the stored hash accepts the new password (a host may
    // normalise passwords before hashing, so two strings can be one password): ask it, as for the current one.
    if (newPassword === currentPassword || (await this.options.users.verifyPassword(auth.user, newPassword))) {
      throw new CredentialUnchangedError('password_unchanged');
    }
    return this.changeForCaller(auth, client, 'password', (manager) => this.options.users.changePassword(auth.user.id, newPassword, manager));
  }

  /**
   * `POST /api/auth/email`: the password is required; 409 when the address is taken; 400
   * `email_unchanged` when it is the caller's own address (after NFC, ignoring case: the host's
   * uniqueness rule), and then nothing changes.
   * @internal
   */
  async changeEmail(auth: RequestAuth, client: ClientContext, password: string, sentEmail: string): Promise<CredentialChangeOutcome> {
    await this.accountThrottle.verifySignedInPassword(auth, password, client, 'email');
    const newEmail = normalizeEmail(sentEmail);
    if (isSameEmail(newEmail, auth.user.email)) throw new CredentialUnchangedError('email_unchanged');
    try {
      return await this.changeForCaller(auth, client, 'email', (manager) => this.options.users.changeEmail(auth.user.id, newEmail, manager), {
        newEmail,
      });
    } catch (error) {
      if (error instanceof EmailTakenError) {
        throw new ConflictException({ statusCode: HttpStatus.CONFLICT, message: error.message, code: 'email_taken' });
      }
      throw error;
    }
  }

  /**
   * `POST /api/auth/security-report` ("this wasn't me"): ends every session, the caller's included; no step-up.
   * @internal
   */
  reportSecurityConcern(auth: RequestAuth, client: ClientContext, note: string | undefined): Promise<CredentialChangeOutcome> {
    return this.changeForCaller(auth, client, 'security_concern', null, note ? { note } : {});
  }

  /**
   * For hosts that change credentials themselves (an email-confirmation link, an admin reset):
   * ends every other session of the user with the trigger's reason and starts the clean-up job.
   * Pass your `manager` to join your transaction, then `await receipt.announce()` after your
   * commit; without a manager the library commits and announces itself.
   * @param keepSessionId a session to keep (moved into the new epoch unchanged)
   */
  credentialsChanged(
    userId: string,
    kind: CredentialChangeKind,
    options: { keepSessionId?: string; manager?: EntityManager; note?: string } = {},
  ): Promise<CredentialChangeReceipt> {
    if (options.manager && !this.sessionRepository.owns(options.manager)) return Promise.reject(foreignManagerError('credentialsChanged'));
    return translateStoreErrors(() => this.recordCredentialsChanged(userId, kind, options));
  }

  private async recordCredentialsChanged(
    userId: string,
    kind: CredentialChangeKind,
    options: { keepSessionId?: string; manager?: EntityManager; note?: string },
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
    auth: RequestAuth,
    client: ClientContext,
    kind: CredentialChangeKind,
    change: ((manager: EntityManager) => Promise<void>) | null,
    metadata: Record<string, unknown> = {},
  ): Promise<CredentialChangeOutcome> {
    const keepCurrent = this.options.credentialChanges[kind].keepCurrent;
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
      const rotated = Object.assign(Object.create(Object.getPrototypeOf(auth.session) as object | null) as typeof auth.session, auth.session, {
        ...rotation,
        epoch: receipt.epoch,
        generation: auth.session.generation + 1,
      });
      const pair = auth.method === 'bearer' ? await this.tokens.reissue(rotated, manager) : null;
      return { receipt, pair, rotated };
    });
    // Both announcements measure their wait from this commit, so a Redis outage costs one lease, not two.
    await Promise.all([receipt.announce(), keepCurrent ? this.events.announceRotated(auth.user.id, auth.session.id) : undefined]);
    // The new cookies go out only now, after the commit: a failed change leaves the browser's session as it was.
    return {
      result: { revoked: receipt.revoked, ...pair },
      rotated: rotated && auth.method === 'cookie' ? { session: rotated, token } : null,
      endedCurrent: !keepCurrent,
    };
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
    const reason = END_REASONS[kind];
    const policy = this.options.credentialChanges[kind];
    return this.epochs.endAllOfUser(manager, {
      userId,
      reason,
      by: null,
      keptSessionId: context.keptSessionId,
      notify: policy.notify,
      audit: (revoked, at) => {
        const base = { actor: context.actor, userId, sessionId: context.sessionId, client: context.client, at };
        return [
          { ...base, type: EVENT_TYPES[kind], metadata: context.metadata },
          { ...base, type: 'logout_everywhere', reason, metadata: { count: revoked, keptSessionId: context.keptSessionId } },
        ];
      },
    });
  }
}
