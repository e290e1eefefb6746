import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { type ClientContext, clientContextOf } from '../common/client-context.js';
import { InvalidPasswordError, SessionRejectedError } from '../sessions/session.errors.js';
import { SessionCookies } from '../sessions/session-cookies.js';
import { SessionEvents } from '../sessions/session-events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import type { AuthenticatedRequest, RequestAuth } from '../sessions/request-auth.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { type TokenPair, TokensService } from '../tokens/tokens.service.js';
import type { SignoffUser } from '../users/users-provider.js';

/** The answer of a successful sign-in: the contract's login body. */
export interface SignInResult {
  user: SignoffUser;
  session: { id: string; expiresAt: Date };
}

/**
 * Sign-in and step-up. Any passport strategy (local, OIDC, SAML, LDAP) ends in `completeSignIn`,
 * so every host gets the same sessions, devices, logout and audit after its own check.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly sessionRepository: SessionRepository,
    private readonly sessions: SessionsService,
    private readonly auditLog: AuditLogService,
    private readonly cookies: SessionCookies,
    private readonly tokens: TokensService,
    private readonly events: SessionEvents,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * Checks an email and password through the host's users. A failure writes `login_failed` (user
   * null for an unknown email) and returns null; the caller answers the same 401 either way.
   */
  async verifyCredentials(email: string, password: string, client: ClientContext): Promise<SignoffUser | null> {
    const user = await this.options.users.findByEmail(email);
    if (user) await this.sessions.noteCredentialCheck(user);
    const isValid = await this.options.users.verifyPassword(user, password);
    if (user && isValid) return user;
    await this.sessionRepository.transaction((manager) =>
      this.auditLog.record(manager, {
        type: 'login_failed',
        actor: null,
        userId: user?.id ?? null,
        client,
        metadata: { email: email.slice(0, 320) },
      }),
    );
    return null;
  }

  /**
   * Opens a cookie session for a user your strategy has authenticated and sets both cookies.
   * A valid session the browser already had ends with reason `replaced` (no fixation).
   * @param req the current request (after `SessionGuard`)
   * @param res the response, to set the cookies on
   * @param user the signed-in user
   * @returns the contract's login body
   */
  async completeSignIn(req: Request, res: Response, user: SignoffUser, options: { rememberMe?: boolean } = {}): Promise<SignInResult> {
    const client = clientContextOf(req);
    const previous = (req as AuthenticatedRequest).auth;
    let replaced: string[] = [];
    const issued = await this.sessionRepository.transaction(async (manager) => {
      if (previous?.method === 'cookie') {
        const at = new Date();
        const ended = await this.sessionRepository.revoke(
          previous.session.userId,
          [previous.session.id],
          { reason: 'replaced', at, byId: null, byEmail: null },
          manager,
        );
        replaced = ended;
        await this.auditLog.record(
          manager,
          ...ended.map((sessionId) => ({
            type: 'session_revoked' as const,
            actor: { id: user.id, email: user.email },
            userId: previous.session.userId,
            sessionId,
            client,
            reason: 'replaced',
            at,
          })),
        );
      }
      return this.sessions.open(manager, user, client, 'cookie', options.rememberMe === true);
    });
    if (previous && replaced.length > 0) await this.events.publishEnded({ userId: previous.session.userId, sessionIds: replaced, reason: 'replaced' });
    this.cookies.set(res, issued.token, this.sessions.cookieMaxAgeSeconds(issued.session));
    return { user: publicUser(user), session: { id: issued.session.id, expiresAt: issued.expiresAt } };
  }

  /**
   * Step-up: checks the password of the current user, then makes the session fresh and rotates its
   * secrets (same id, new cookies). Wrong password: 403 `invalid_password`, nothing changes.
   */
  async reauthenticate(req: Request, res: Response, password: string): Promise<FreshSessionResult> {
    const auth = requireAuth(req);
    if (!(await this.options.users.verifyPassword(auth.user, password))) throw new InvalidPasswordError();
    return this.markFresh(req, res);
  }

  /**
   * Makes the current session fresh for step-up and rotates its secrets. Hosts whose users prove
   * themselves another way (OIDC `prompt=login`, a hardware key) call this after their own check.
   */
  async markFresh(req: Request, res: Response): Promise<FreshSessionResult> {
    const auth = requireAuth(req);
    const rotated = await this.sessionRepository.transaction(async (manager) => {
      const issued = await this.sessions.rotate(manager, auth.session, true);
      if (!issued) return null;
      // A bearer client gets a new pair: its earlier access and refresh tokens stop working.
      const tokens = auth.method === 'bearer' ? await this.tokens.reissue(issued.session, manager) : null;
      return { issued, tokens };
    });
    if (!rotated) throw new SessionRejectedError('session_ended');
    await this.events.publishRotated(auth.user.id, auth.session.id);
    const { issued, tokens } = rotated;
    if (auth.method === 'cookie') this.cookies.set(res, issued.token, this.sessions.cookieMaxAgeSeconds(issued.session));
    auth.session = issued.session;
    return { session: { id: issued.session.id, expiresAt: issued.expiresAt }, ...tokens };
  }
}

/** The answer of reauth and `markFresh`; bearer callers also get their new token pair. */
export type FreshSessionResult = { session: { id: string; expiresAt: Date } } & Partial<TokenPair>;

/** The user fields the API shows. */
export function publicUser(user: SignoffUser): SignoffUser {
  return { id: user.id, email: user.email, roles: [...user.roles] };
}

function requireAuth(req: Request): RequestAuth {
  const auth = (req as AuthenticatedRequest).auth;
  if (!auth) throw new SessionRejectedError('unauthenticated');
  return auth;
}
