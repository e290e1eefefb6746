import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditRecord } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { type PendingRevocation, SessionRevoker } from '../sessions/session-revoker.js';
import type { VerifiedIdpToken } from './idp-token.verifier.js';
import { IdpTokenRejectedError } from './sso.errors.js';
import { SsoRepository } from './sso.repository.js';
import type { SsoUsedTokenKind } from './sso-used-token.entity.js';

/** Where an identity-provider logout came from, as the audit log records it. */
export type IdpLogoutSource = 'backchannel_logout' | 'ssf_session_revoked';

/** An identity-provider logout: a verified token, and which provider sessions it ends. */
export interface IdpLogout {
  token: VerifiedIdpToken;
  kind: SsoUsedTokenKind;
  source: IdpLogoutSource;
  sid: string | undefined;
  subject: string | undefined;
  /** The provider's request (its address, user agent and request id), for the audit events. */
  client: ClientContext;
}

/**
 * What the identity provider can do to Signoff sessions: end the sessions that came from one of
 * its sessions or subjects (`idp_logout`), or end every session of a user after a credential change
 * (`password_change`, through the same epoch path as a password change). The token's `jti` is
 * recorded in the same transaction as the effect: a replay is refused on every instance, and a
 * failed attempt does not use the id up.
 */
@Injectable()
export class IdpLogoutService {
  private readonly logger = new Logger('AuthSessions');

  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly ssoRepository: SsoRepository,
    private readonly revoker: SessionRevoker,
    private readonly auditLog: AuditLogService,
    private readonly credentials: CredentialsService,
  ) {}

  /**
   * Ends every active session from the provider that matches the logout's `sid` (and `sub` when
   * both are given), or, with only `sub`, every session of that subject, with reason `idp_logout`,
   * and writes one `logout_everywhere` event with the count, issuer and provider sid. Returns once
   * no instance can still accept an ended session. Returns how many sessions ended (0 is fine).
   */
  async endProviderSessions(logout: IdpLogout): Promise<number> {
    const { provider, payload } = logout.token;
    const now = new Date();
    const pending = await this.sessionRepository.transaction(async (manager) => {
      await this.consume(manager, logout.token, logout.kind);
      const matches = await this.ssoRepository.findActiveSessions(manager, { issuer: provider.issuer, sid: logout.sid, subject: logout.subject }, now);
      const byUser = new Map<string, string[]>();
      for (const session of matches) byUser.set(session.userId, [...(byUser.get(session.userId) ?? []), session.id]);
      const metadata = {
        issuer: provider.issuer,
        ...(logout.sid === undefined ? {} : { providerSid: logout.sid }),
        ...(logout.subject === undefined ? {} : { providerSubject: logout.subject }),
        jti: payload.jti,
        source: logout.source,
      };
      const revocations: PendingRevocation[] = [];
      for (const [userId, sessionIds] of byUser) {
        revocations.push(
          await this.revoker.revokeInTransaction(
            manager,
            { userId, sessionIds },
            {
              reason: 'idp_logout',
              by: null,
              audit: (ended, at): AuditRecord[] => [
                {
                  type: 'logout_everywhere',
                  actor: null,
                  userId,
                  reason: 'idp_logout',
                  client: logout.client,
                  metadata: { ...metadata, count: ended.length, sessionIds: ended.map((session) => session.id) },
                  at,
                },
              ],
            },
          ),
        );
      }
      if (byUser.size === 0) {
        // Nothing matched (already ended, or never signed in here): still one event, for the audit trail.
        const link = logout.subject === undefined ? null : await this.ssoRepository.findLink(provider.issuer, logout.subject, manager);
        await this.auditLog.record(manager, {
          type: 'logout_everywhere',
          actor: null,
          userId: link?.userId ?? null,
          reason: 'idp_logout',
          client: logout.client,
          metadata: { ...metadata, count: 0, sessionIds: [] },
        });
      }
      await this.ssoRepository.deleteLogoutHints(
        manager,
        matches.map((session) => session.id),
      );
      return revocations;
    });
    await Promise.all(pending.map((revocation) => revocation.announce()));
    return pending.reduce((count, revocation) => count + revocation.ended.length, 0);
  }

  /**
   * A credential change at the provider (CAEP credential-change): every session of the linked user
   * ends with `password_change`, exactly as a password change does (epoch bump, audit, clean-up
   * job). Nothing happens for a subject that was never linked. Returns how many sessions ended.
   */
  async credentialChanged(token: VerifiedIdpToken, subject: string, note: string): Promise<number> {
    const { provider } = token;
    const receipt = await this.sessionRepository.transaction(async (manager) => {
      await this.consume(manager, token, 'set');
      const link = await this.ssoRepository.findLink(provider.issuer, subject, manager);
      if (!link) return null;
      return this.credentials.credentialsChanged(link.userId, 'password', { manager, note });
    });
    if (!receipt) {
      this.logger.log(`Shared Signals: credential-change for an unlinked subject of ${provider.issuer}; nothing to end`);
      return 0;
    }
    await receipt.announce();
    return receipt.revoked;
  }

  private async consume(manager: EntityManager, token: VerifiedIdpToken, kind: SsoUsedTokenKind): Promise<void> {
    const isFirstUse = await this.ssoRepository.markUsed(manager, token.provider.issuer, kind, token.payload.jti, token.replayWindowEndsAt);
    if (!isFirstUse) throw new IdpTokenRejectedError('jti was already used (replay)');
  }
}
