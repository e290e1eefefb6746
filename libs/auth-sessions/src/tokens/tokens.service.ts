import { createHmac } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { ClientContext } from '../common/client-context.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { type PendingRevocation, SessionRevoker } from '../sessions/session-revoker.js';
import { sessionStateAt } from '../sessions/session-state.js';
import { generateSessionToken, hashSessionToken, isWellFormedSessionToken } from '../sessions/session-token.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { SignoffUser } from '../users/users-provider.js';
import { AccessTokenService } from './access-token.service.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';
import { SecretStore } from './secret-store.js';

/** The body of a token response (RFC 6749 names). */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * The sessions a token request authenticates as besides its refresh token: what the guard resolved
 * from a valid session cookie or `Authorization: Bearer` access token (`presentedSessions`). Empty
 * when it carries no other credential, or only invalid ones: then possession of the token is the proof.
 */
export type PresentedCredentials = readonly Pick<RequestAuth, 'session' | 'user'>[];

type RefreshOutcome =
  { kind: 'rotated'; session: Session; refreshToken: string } | { kind: 'rejected'; error: SessionRejectedError; revocation?: PendingRevocation };

/**
 * Bearer mode: a session whose client holds a JWT access token bound to it by `sid` and a rotating,
 * single-use refresh token. Ending the session ends both, on every instance, at once.
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger('AuthSessions');

  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly revoker: SessionRevoker,
    private readonly secrets: SecretStore,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * Opens a bearer session for a signed-in user and answers its first token pair.
   * @param options.epochAtCheck the user's epoch read before the credential check (see `SessionsService.open`)
   * @param options.metadata extra fields of the `login` audit event
   */
  async signIn(
    user: SignoffUser,
    client: ClientContext,
    options: { rememberMe: boolean; epochAtCheck?: number; metadata?: Record<string, unknown> },
  ): Promise<TokenPair & { session_id: string }> {
    const { session, refreshToken } = await this.sessionRepository.transaction(async (manager) => {
      const issued = await this.sessions.open(manager, user, client, {
        kind: 'bearer',
        rememberMe: options.rememberMe,
        ...(options.epochAtCheck === undefined ? {} : { epochAtCheck: options.epochAtCheck }),
        ...(options.metadata ? { metadata: options.metadata } : {}),
      });
      return { session: issued.session, refreshToken: await this.startFamily(issued.session, manager) };
    });
    return { ...(await this.pair(session, refreshToken)), session_id: session.id };
  }

  /**
   * Gives a session a fresh token pair after its secrets rotated (reauth, credential change): every
   * earlier refresh token of the session is revoked, in the caller's transaction.
   */
  async reissue(session: Session, manager: EntityManager): Promise<TokenPair> {
    await this.refreshTokens.revokeForSession(session.id, new Date(), manager);
    return this.pair(session, await this.startFamily(session, manager));
  }

  /**
   * Rotates a refresh token. A spent token presented again within the grace period, while its
   * successor is unused, gets that same successor; any other reuse ends the session
   * (`refresh_token_reuse`) and answers 401. A request that also authenticates as another session
   * (`presented`) is refused like an unknown token, and nothing changes (TOK-09).
   */
  async refresh(refreshToken: string, client: ClientContext, presented: PresentedCredentials = []): Promise<TokenPair> {
    if (!isWellFormedSessionToken(refreshToken)) throw new SessionRejectedError('unauthenticated');
    const successor = await this.successorOf(refreshToken);
    const outcome = await this.sessionRepository.transaction((manager) => this.rotate(refreshToken, successor, client, presented, manager));
    if (outcome.kind === 'rejected') {
      await outcome.revocation?.announce();
      throw outcome.error;
    }
    await this.sessions.recordActivity(outcome.session);
    return this.pair(outcome.session, outcome.refreshToken);
  }

  /**
   * RFC 7009: ends the session of a refresh token with reason `logout`; unknown tokens change nothing.
   * Only its owner may: a request that also authenticates as another user (`presented`) changes
   * nothing either (TOK-10), and is answered the same, as RFC 7009 answers every revocation.
   */
  async revoke(refreshToken: string, client: ClientContext, presented: PresentedCredentials = []): Promise<void> {
    if (!isWellFormedSessionToken(refreshToken)) return;
    const token = await this.refreshTokens.findByHash(hashSessionToken(refreshToken));
    if (!token) return;
    const found = await this.sessionRepository.findById(token.sessionId);
    if (!found) return;
    // Another of the owner's own sessions may end this one (as "sign out other devices" does), but
    // a token held by someone else is not theirs to end: a leaked token must not become a way to
    // sign its owner out.
    const foreign = presented.find((auth) => auth.user.id !== found.session.userId);
    if (foreign) {
      this.warnForeign('revoke', found.session, foreign, client, 'ignored');
      return;
    }
    const user = await this.options.users.findById(found.session.userId);
    const actor = user ? { id: user.id, email: user.email } : null;
    await this.revoker.revoke(
      { userId: found.session.userId, sessionIds: [found.session.id] },
      {
        reason: 'logout',
        by: actor,
        auditEach: { type: 'logout', actor, client, reason: 'logout', metadata: { method: 'token_revoke' } },
      },
    );
  }

  private async rotate(
    refreshToken: string,
    successor: string,
    client: ClientContext,
    presented: PresentedCredentials,
    manager: EntityManager,
  ): Promise<RefreshOutcome> {
    const now = new Date();
    const token = await this.refreshTokens.findByHashForUpdate(hashSessionToken(refreshToken), manager);
    if (!token) return { kind: 'rejected', error: new SessionRejectedError('unauthenticated') };
    const found = await this.sessionRepository.findById(token.sessionId, manager);
    if (!found) return { kind: 'rejected', error: new SessionRejectedError('unauthenticated') };
    // A refresh token cannot switch sessions: sent beside another session's cookie or access token,
    // the request is a mix-up or a stolen token, and it is refused before rotation or reuse handling.
    // The answer is the one an unknown token gets, so it tells nobody whether the token was valid.
    const foreign = presented.find((auth) => auth.session.id !== token.sessionId);
    if (foreign) {
      this.warnForeign('refresh', found.session, foreign, client, 'refused');
      return { kind: 'rejected', error: new SessionRejectedError('unauthenticated') };
    }
    const state = sessionStateAt(found.session, found.userEpoch, now);
    if (state.status !== 'active') {
      return { kind: 'rejected', error: new SessionRejectedError(state.status === 'ended' ? 'session_ended' : 'session_expired', state.reason) };
    }
    if (token.revokedAt) return { kind: 'rejected', error: new SessionRejectedError('unauthenticated') };
    if (!token.usedAt) {
      await this.refreshTokens.markUsed(token.id, now, manager);
      await this.refreshTokens.insert(token.sessionId, hashSessionToken(successor), token.id, manager);
      return { kind: 'rotated', session: found.session, refreshToken: successor };
    }
    const next = await this.refreshTokens.findSuccessorForUpdate(token.id, manager);
    const withinGrace = now.getTime() - token.usedAt.getTime() <= this.options.refreshReuseGraceSeconds * 1000;
    if (next && !next.usedAt && !next.revokedAt && withinGrace) {
      return { kind: 'rotated', session: found.session, refreshToken: successor };
    }
    return {
      kind: 'rejected',
      error: new SessionRejectedError('session_ended', 'refresh_token_reuse'),
      revocation: await this.endForReuse(found.session, client, manager),
    };
  }

  // A replayed spent token: its session (or, by option, every session of the user) ends.
  private endForReuse(session: Session, client: ClientContext, manager: EntityManager): Promise<PendingRevocation> {
    const scope = this.options.refreshReuseRevokes;
    return this.revoker.revokeInTransaction(
      manager,
      scope === 'user' ? { userId: session.userId, allSessions: true } : { userId: session.userId, sessionIds: [session.id] },
      {
        reason: 'refresh_token_reuse',
        by: null,
        audit: (ended, at) => [
          {
            type: 'refresh_token_reuse',
            actor: null,
            userId: session.userId,
            sessionId: session.id,
            client,
            reason: 'refresh_token_reuse',
            metadata: { endedSessionIds: ended.map((endedSession) => endedSession.id), scope },
            at,
          },
        ],
      },
    );
  }

  // Ids, never token values: they are what an operator can look up.
  private warnForeign(
    action: 'refresh' | 'revoke',
    tokenSession: Session,
    caller: PresentedCredentials[number],
    client: ClientContext,
    outcome: 'refused' | 'ignored',
  ): void {
    this.logger.warn(
      `token/${action}: a refresh token of session ${tokenSession.id} (user ${tokenSession.userId}) came with the credentials of ` +
        `session ${caller.session.id} (user ${caller.user.id}) from ${client.ip || 'an unknown address'}` +
        `${client.requestId ? ` (request ${client.requestId})` : ''}; ${outcome}.`,
    );
  }

  private async startFamily(session: Session, manager: EntityManager): Promise<string> {
    const refreshToken = generateSessionToken();
    await this.refreshTokens.insert(session.id, hashSessionToken(refreshToken), null, manager);
    return refreshToken;
  }

  /**
   * The successor of a refresh token is derived, not stored: an HMAC of the spent token under a
   * server secret. So a retry within the grace period gets the same successor, and the database
   * still holds nothing but hashes.
   */
  private async successorOf(refreshToken: string): Promise<string> {
    const key = await this.secrets.get('refresh-successor');
    return createHmac('sha256', key).update(refreshToken).digest('base64url');
  }

  private async pair(session: Session, refreshToken: string): Promise<TokenPair> {
    return {
      access_token: await this.accessTokens.sign(session),
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: this.accessTokens.ttlSeconds,
    };
  }
}
