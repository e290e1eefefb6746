import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import { type AuthenticatedRequest, requestAuthOf } from '../edge/execution-target.js';
import { HttpEdge } from '../edge/http-edge.js';
import { sessionToReplace } from '../edge/presented-session.js';
import { SessionCookies } from '../edge/session-cookies.js';
import { SessionResponses } from '../edge/session-responses.js';
import { translateStoreErrors } from '../edge/store-errors.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import { SessionEvents } from '../sessions/session-events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { AccountThrottle } from '../throttling/account-throttle.js';
import { SessionRevoker } from '../sessions/session-revoker.js';
import { type IssuedSession, type SessionSsoOrigin, SessionsService } from '../sessions/sessions.service.js';
import type { Session } from '../sessions/session.entity.js';
import { type TokenPair, TokensService } from '../tokens/tokens.service.js';
import type { SignoffUser } from '../users/users-provider.js';
import { normalizeEmail } from '../users/email.js';

/** The answer of a successful sign-in: the contract's login body. */
export interface SignInResult {
  user: SignoffUser;
  session: { id: string; expiresAt: Date };
}

/** The answer of a bearer sign-in: the contract's `POST /auth/token` body (the first token pair and the session's id). */
export type TokenSignInResult = TokenPair & { session_id: string };

/** The answer of reauth and `markFresh`; bearer callers also get their new token pair. */
export type FreshSessionResult = { session: { id: string; expiresAt: Date } } & Partial<TokenPair>;

/** A password check that passed, with the user's session epoch read before the check (see `SessionsService.open`). */
export interface VerifiedCredentials {
  user: SignoffUser;
  epochAtCheck: number;
}

/** Options of a sign-in. */
export interface SignInOptions {
  /** A persistent cookie and the longer `rememberMe` lifetimes. */
  rememberMe?: boolean;
  /** Extra fields of the `login` audit event (e.g. `{ method: 'oidc', issuer }`). */
  auditMetadata?: Record<string, unknown>;
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
    private readonly revoker: SessionRevoker,
    private readonly auditLog: AuditLogService,
    private readonly tokens: TokensService,
    private readonly events: SessionEvents,
    private readonly responses: SessionResponses,
    private readonly edge: HttpEdge,
    private readonly cookies: SessionCookies,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    private readonly accountThrottle: AccountThrottle,
  ) {}

  /**
   * Opens a cookie session for a user your strategy has authenticated and sets both cookies on the
   * response. A valid session the browser already had ends with reason `replaced` (no fixation).
   * @param req the current request of your HTTP adapter (Express or Fastify); the session it
   *   presents is found with or without `SessionGuard` on the route
   * @param res the response of your HTTP adapter, to set the cookies on
   * @param user the signed-in user
   * @returns the contract's login body
   */
  completeSignIn(req: object, res: object, user: SignoffUser, options: SignInOptions = {}): Promise<SignInResult> {
    return translateStoreErrors(async () => {
      const request = req as AuthenticatedRequest;
      const replacing = await this.sessionToReplace(request);
      const { result, issued } = await this.signIn(user, this.edge.clientContext(request), { ...options, ...(replacing ? { replacing } : {}) });
      this.responses.started(res, issued.session, issued.token);
      return result;
    });
  }

  /**
   * Opens a bearer session for a user your strategy has authenticated, as `POST /auth/token` does
   * after a password: an access token bound to the session (`sid`) and a rotating refresh token, with
   * the same device, `login` audit event and revocation as every session. For API clients of a host
   * whose users prove themselves another way (a username, LDAP, a provider's token). No cookie is
   * set and no cookie session is replaced: a bearer client has none.
   * @param req the current request of your HTTP adapter (its address and user agent are recorded)
   * @param user the signed-in user
   * @returns the contract's token body
   */
  completeTokenSignIn(req: object, user: SignoffUser, options: SignInOptions = {}): Promise<TokenSignInResult> {
    return translateStoreErrors(() =>
      this.tokens.signIn(user, this.edge.clientContext(req as AuthenticatedRequest), {
        rememberMe: options.rememberMe === true,
        ...(options.auditMetadata ? { metadata: options.auditMetadata } : {}),
      }),
    );
  }

  /**
   * The session a sign-in on this request replaces (see `sessionToReplace` in presented-session.ts).
   * @internal for the library's own sign-in route
   */
  sessionToReplace(request: AuthenticatedRequest): Promise<RequestAuth | undefined> {
    return sessionToReplace(request, this.edge.cookies(request, this.cookies.sessionCookieName), (token) => this.sessions.authenticate(token));
  }

  /**
   * Makes the current session fresh for step-up and rotates its secrets (same id, new cookies or a
   * new token pair). Hosts whose users prove themselves another way (OIDC `prompt=login`, a hardware
   * key) call this after their own check.
   * @param req the current request of your HTTP adapter, after `SessionGuard`
   * @param res the response of your HTTP adapter, to set the new cookies on
   */
  markFresh(req: object, res: object): Promise<FreshSessionResult> {
    return translateStoreErrors(async () => {
      const request = req as AuthenticatedRequest;
      const fresh = await this.refresh(requireAuth(request));
      if (fresh.cookie) this.responses.started(res, fresh.cookie.session, fresh.cookie.token);
      request.auth = fresh.auth;
      return fresh.result;
    });
  }

  /**
   * Checks an email and password through the host's users. A failure writes `login_failed` (user
   * null for an unknown email) and returns null; the caller answers the same 401 either way. An
   * account over its sign-in limit (`rateLimit.account`) throws `TooManyAttemptsError` first.
   * @internal
   */
  async verifyCredentials(sentEmail: string, password: string, client: ClientContext): Promise<VerifiedCredentials | null> {
    const email = normalizeEmail(sentEmail);
    const user = await this.options.users.findByEmail(email);
    // Past the per-account limit the password is not even checked (429): guessing stops there.
    const attempt = await this.accountThrottle.admit(email, user?.id ?? null, client);
    // Read before the check: a concurrent credential change then ends the session this opens.
    const epochAtCheck = user ? await this.sessions.currentEpoch(user.id) : 0;
    const isValid = await this.options.users.verifyPassword(user, password);
    if (user && isValid) return { user, epochAtCheck };
    await attempt.failed();
    await this.auditLog.recordAlone({
      type: 'login_failed',
      actor: null,
      userId: user?.id ?? null,
      client,
      metadata: { email: email.slice(0, 320) },
    });
    return null;
  }

  /**
   * Opens a cookie session. A valid cookie session the client presented (`replacing`) ends in the
   * same transaction with reason `replaced`. Returns the contract's body and the issued session
   * (whose token the edge puts in the cookies).
   * @internal
   */
  async signIn(
    user: SignoffUser,
    client: ClientContext,
    options: SignInOptions & {
      replacing?: RequestAuth;
      epochAtCheck?: number;
      /** The provider session of a single sign-on, recorded on the new session. */
      sso?: SessionSsoOrigin;
      /** Runs in the sign-in's transaction once the session row exists (single sign-on stores its logout hint). */
      withinTransaction?: (manager: EntityManager, session: Session) => Promise<void>;
    } = {},
  ): Promise<{ result: SignInResult; issued: IssuedSession }> {
    const previous = options.replacing?.method === 'cookie' ? options.replacing : undefined;
    const { issued, replaced } = await this.sessionRepository.transaction(async (manager) => {
      const replaced = previous
        ? await this.revoker.revokeInTransaction(
            manager,
            { userId: previous.session.userId, sessionIds: [previous.session.id] },
            {
              reason: 'replaced',
              by: null,
              auditEach: { type: 'session_revoked', actor: { id: user.id, email: user.email }, client, reason: 'replaced' },
            },
          )
        : null;
      const issued = await this.sessions.open(manager, user, client, {
        kind: 'cookie',
        rememberMe: options.rememberMe === true,
        ...(options.epochAtCheck === undefined ? {} : { epochAtCheck: options.epochAtCheck }),
        ...(options.auditMetadata ? { metadata: options.auditMetadata } : {}),
        ...(options.sso ? { sso: options.sso } : {}),
      });
      await options.withinTransaction?.(manager, issued.session);
      return { issued, replaced };
    });
    await replaced?.announce();
    return { result: { user: publicUser(user), session: { id: issued.session.id, expiresAt: issued.expiresAt } }, issued };
  }

  /**
   * Step-up: checks the password of the current user, then makes the session fresh and rotates its
   * secrets. Wrong password: 403 `invalid_password`, nothing changes.
   * @internal
   */
  async reauthenticate(auth: RequestAuth, password: string, client: ClientContext): Promise<FreshSession> {
    await this.accountThrottle.verifySignedInPassword(auth, password, client, 'reauth');
    return this.refresh(auth);
  }

  /**
   * Makes the session fresh and rotates its secrets: new cookies for a cookie session, a new token pair for a bearer one.
   * @internal
   */
  async refresh(auth: RequestAuth): Promise<FreshSession> {
    const rotated = await this.sessionRepository.transaction(async (manager) => {
      const issued = await this.sessions.rotate(manager, auth.session, true);
      if (!issued) return null;
      // A bearer client gets a new pair: its earlier access and refresh tokens stop working.
      const tokens = auth.method === 'bearer' ? await this.tokens.reissue(issued.session, manager) : null;
      return { issued, tokens };
    });
    if (!rotated) throw new SessionRejectedError('session_ended');
    await this.events.announceRotated(auth.user.id, auth.session.id);
    const { issued, tokens } = rotated;
    return {
      result: { session: { id: issued.session.id, expiresAt: issued.expiresAt }, ...tokens },
      cookie: auth.method === 'cookie' ? issued : null,
      auth: { ...auth, session: issued.session, expiresAt: issued.expiresAt },
    };
  }
}

/** A session made fresh: the answer, the new cookie secrets (cookie sessions), and the caller's new auth. */
export interface FreshSession {
  result: FreshSessionResult;
  cookie: IssuedSession | null;
  auth: RequestAuth;
}

/** The user fields the API shows. */
export function publicUser(user: SignoffUser): SignoffUser {
  return { id: user.id, email: user.email, roles: [...user.roles] };
}

function requireAuth(req: AuthenticatedRequest): RequestAuth {
  const auth = requestAuthOf(req);
  if (!auth) throw new SessionRejectedError('unauthenticated');
  return auth;
}
