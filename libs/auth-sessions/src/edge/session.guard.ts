import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CSRF_EXEMPT_METADATA, NOT_ACTIVITY_METADATA, PUBLIC_ROUTE_METADATA, SAME_ORIGIN_METADATA } from '../auth-sessions.constants.js';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { SecurityEvents } from '../audit/security-events.js';
import { BearerAuthenticator } from '../sessions/bearer-authenticator.js';
import { isRequestAuth, requestAuth } from '../sessions/request-auth.js';
import { CrossSiteRequestError, SessionRejectedError } from '../sessions/session.errors.js';
import { type AuthenticationResult, SessionsService } from '../sessions/sessions.service.js';
import { ConnectionSessions } from './connection-sessions.js';
import { withErrorExtensions } from './error-extensions.js';
import { type AuthenticatedConnection, CONNECTION_AUTH, type ExecutionTarget, executionTargetOf } from './execution-target.js';
import { HttpEdge, type HttpResponse } from './http-edge.js';
import { AMBIGUOUS_SESSIONS, ambiguousAuths, type PresentedSessionsRequest, resolvePresentedSession } from './presented-session.js';
import { hasValidXsrfToken, isOriginAllowed, isStateChanging } from './request-forgery.js';
import { RouteMetadata } from './route-metadata.js';
import { refusedCredentialEvent } from './refused-credential-event.js';
import { securityEventSource } from './security-event-source.js';
import { SessionCookies } from './session-cookies.js';
import { translateStoreErrors } from './store-errors.js';
import { asTransportException, needsTransportException } from './transport-errors.js';

// How many distinct refused origins are logged (see refuseOrigin).
const LOGGED_ORIGINS = 5;

// Session cookies that name several live sessions authenticate as nobody.
const NO_CHOICE: AuthenticationResult = { ok: false, code: 'unauthenticated' };

type Refusal = Extract<AuthenticationResult, { ok: false }>;

/**
 * The global guard. Every handler is protected unless `@Public()`:
 * - HTTP routes, and GraphQL operations carried by an HTTP request, are authenticated by the
 *   session cookie or an `Authorization: Bearer` access token, with the CSRF and Origin rules for
 *   cookie-authenticated state-changing requests;
 * - messages on a connection (WebSocket gateways, GraphQL subscriptions) need the auth checked at
 *   the connection's handshake (`ConnectionSessions`), and its session must still be active now;
 *   a connection whose session has ended is closed at once;
 * - any other context (microservices, anything unknown) is refused: the guard never lets through
 *   a context it cannot authenticate.
 * Sessions are checked against PostgreSQL, the source of truth, through the instance cache that
 * never opens a revocation window (see SessionBus). `@Public()` routes still resolve a valid cookie
 * (logout and login need it) but let anonymous callers through.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  private readonly routes: RouteMetadata;
  private readonly logger = new Logger('AuthSessions');
  private hasWarnedOfForeignAuth = false;
  private readonly loggedOrigins = new Set<string>();

  constructor(
    reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly cookies: SessionCookies,
    private readonly bearer: BearerAuthenticator,
    private readonly edge: HttpEdge,
    private readonly connections: ConnectionSessions,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    // Optional only so a guard built by hand (unit tests) needs none; the module always provides it.
    @Optional() private readonly securityEvents?: SecurityEvents,
  ) {
    this.routes = new RouteMetadata(reflector);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const target = executionTargetOf(context);
    // Most requests name a session this instance has cached: answered without waiting a tick.
    if (target.kind === 'http' && this.authenticateCachedRequest(target.req, target.res, context)) return true;
    return this.authenticate(context, target);
  }

  private async authenticate(context: ExecutionContext, target: ExecutionTarget): Promise<boolean> {
    const isPublic = this.routes.flag(PUBLIC_ROUTE_METADATA, context);
    try {
      // A dependency that is down becomes a 503 on every transport, never a raw driver error.
      return await translateStoreErrors(async () => {
        if (target.kind === 'http') return this.authenticateRequest(target.req, target.res, context, isPublic);
        if (target.kind === 'socket') return this.authenticateConnection(target.connection, context, isPublic);
        if (isPublic) return true;
        throw new SessionRejectedError('unauthenticated');
      });
    } catch (error) {
      // A gateway's or a microservice's client gets the contract's code and reason, not "Internal server error".
      if (needsTransportException(context)) throw await asTransportException(context, error);
      // GraphQL drivers show the same `extensions` (UNAUTHENTICATED, the contract's code and reason).
      throw withErrorExtensions(error);
    }
  }

  /**
   * The request's one credential (a bearer token, or a single session cookie) names a session this
   * instance has cached as active, and no activity write is due: the request is authenticated here,
   * with the same outcome as `authenticateRequest`, and true is returned. False when only the full
   * path can tell (not cached, ended, several cookies, a write due); nothing was changed then.
   */
  private authenticateCachedRequest(req: PresentedSessionsRequest, res: HttpResponse | undefined, context: ExecutionContext): boolean {
    const authorization = this.edge.header(req, 'authorization');
    let cookieToken: string | undefined;
    let result: AuthenticationResult | undefined;
    if (authorization !== undefined) {
      // A repeated Authorization header takes the full path, which refuses it.
      if (this.edge.isHeaderRepeated(req, 'authorization')) return false;
      result = this.bearer.authenticateCached(authorization);
    } else {
      const values = this.edge.cookies(req, this.cookies.sessionCookieName);
      if (values.length !== 1) return false;
      cookieToken = values[0];
      result = this.sessions.authenticateCached(cookieToken);
    }
    if (!result?.ok) return false;
    if (!this.routes.flag(NOT_ACTIVITY_METADATA, context) && this.sessions.isActivityDue(result.session)) return false;
    if (res) this.edge.setHeader(res, 'Cache-Control', 'no-store');
    req.auth = requestAuth(result.session, result.user, cookieToken === undefined ? 'bearer' : 'cookie', result.expiresAt);
    try {
      this.rejectCrossSiteRequests(req, context, cookieToken === undefined ? [] : [cookieToken]);
    } catch (error) {
      throw withErrorExtensions(error);
    }
    return true;
  }

  private async authenticateConnection(connection: AuthenticatedConnection, context: ExecutionContext, isPublic: boolean): Promise<boolean> {
    const auth = connection[CONNECTION_AUTH];
    if (!auth) {
      if (isPublic) return true;
      throw new SessionRejectedError('unauthenticated');
    }
    // The connection's session may have ended since the handshake: check it again, from the cache.
    const result = await this.sessions.authenticateById(auth.session.id);
    if (!result.ok) {
      // Its connections close now, not at the next bus message or heartbeat.
      this.connections.closeSession(auth.session.id, result.reason ?? result.code);
      if (isPublic) return true;
      throw new SessionRejectedError(result.code, result.reason);
    }
    // The user as the host knows them now (a demotion counts at once for @Roles()).
    connection[CONNECTION_AUTH] = { ...auth, session: result.session, user: result.user, expiresAt: result.expiresAt };
    if (!this.routes.flag(NOT_ACTIVITY_METADATA, context)) await this.sessions.recordActivity(result.session);
    return true;
  }

  private async authenticateRequest(
    req: PresentedSessionsRequest,
    res: HttpResponse | undefined,
    context: ExecutionContext,
    isPublic: boolean,
  ): Promise<boolean> {
    // `req.auth` is what this guard found, nothing else: a value something earlier put there (express-jwt
    // and express-oauth2-jwt-bearer use the same name) would otherwise pass for an authenticated caller.
    if (req.auth !== undefined) this.discardEarlierAuth(req);
    // An Authorization header authenticates the request alone: any cookie is then ignored.
    const authorization = this.edge.header(req, 'authorization');
    // HTTP allows one Authorization header. Node keeps the first of several and drops the others,
    // so which credential the client meant is unknowable: refused as a malformed credential is, on
    // public routes too (the token endpoints judge a refresh token by the caller's credentials).
    if (authorization !== undefined && this.edge.isHeaderRepeated(req, 'authorization')) throw new SessionRejectedError('unauthenticated');
    // Several session cookies (cookie tossing): the one live session they name, or none if they name several.
    const presented =
      authorization === undefined
        ? await resolvePresentedSession(this.edge.cookies(req, this.cookies.sessionCookieName), (token) => this.sessions.authenticate(token))
        : ({ kind: 'none' } as const);
    if (presented.kind === 'ambiguous') req[AMBIGUOUS_SESSIONS] = ambiguousAuths(presented);
    const cookieTokens = presented.kind === 'one' ? [presented.token] : presented.kind === 'ambiguous' ? presented.live.map((entry) => entry.token) : [];
    if (authorization !== undefined || presented.kind !== 'none') {
      if (res) this.edge.setHeader(res, 'Cache-Control', 'no-store');
      const result = authorization !== undefined ? await this.bearer.authenticate(authorization) : presented.kind === 'one' ? presented.result : NO_CHOICE;
      if (result.ok) {
        req.auth = requestAuth(result.session, result.user, authorization !== undefined ? 'bearer' : 'cookie', result.expiresAt);
      } else if (!isPublic) {
        this.reportRefusedCredential(req, result, authorization !== undefined);
        throw new SessionRejectedError(result.code, result.reason);
      }
    }
    if (!req.auth && !isPublic) throw new SessionRejectedError('unauthenticated');

    this.rejectCrossSiteRequests(req, context, cookieTokens);
    if (req.auth && !this.routes.flag(NOT_ACTIVITY_METADATA, context)) {
      await this.sessions.recordActivity(req.auth.session);
    }
    return true;
  }

  /**
   * Drops what `req.auth` held before this check. The guard may run twice on a request (a GraphQL
   * operation's fields, a host binding it again) and then finds its own value, checked again here;
   * anything else came from elsewhere, which is worth one warning.
   */
  private discardEarlierAuth(req: PresentedSessionsRequest): void {
    const earlier: unknown = req.auth;
    delete req.auth;
    if (this.hasWarnedOfForeignAuth || isRequestAuth(earlier)) return;
    this.hasWarnedOfForeignAuth = true;
    this.logger.warn(
      'req.auth was already set when SessionGuard checked a request (another middleware or guard uses the name, as express-jwt does); ' +
        'it was ignored: the library sets req.auth itself, from the Signoff session alone.',
    );
  }

  /** Logs a refused credential that is worth an operator's look (AUD-06; `refusedCredentialEvent` says which). */
  private reportRefusedCredential(req: PresentedSessionsRequest, result: Refusal, isBearer: boolean): void {
    const refused = refusedCredentialEvent(result, isBearer);
    if (refused) this.securityEvents?.record(refused.event, securityEventSource(this.edge, req), refused.details);
  }

  /** Logs a request refused by the CSRF or Origin rules, and throws its 403. */
  private refuseCrossSite(req: PresentedSessionsRequest, code: 'csrf_token_invalid' | 'origin_not_allowed'): never {
    const auth = req.auth;
    this.securityEvents?.record('malicious_csrf', securityEventSource(this.edge, req), {
      code,
      ...(auth ? { sessionId: auth.session.id, userId: auth.user.id } : {}),
    });
    throw new CrossSiteRequestError(code);
  }

  /**
   * 403 `origin_not_allowed`. The first few foreign origins are also logged beside `publicOrigin`: when
   * the refused origin is the app's own (a port, a scheme, a host name that differs), `publicOrigin` is
   * what to fix, and the client's 403 cannot say so. A few, so an attacker's origins cannot use up the log.
   */
  private refuseOrigin(req: PresentedSessionsRequest): never {
    const origin = this.edge.header(req, 'origin') ?? '';
    if (this.loggedOrigins.size < LOGGED_ORIGINS && !this.loggedOrigins.has(origin)) {
      this.loggedOrigins.add(origin);
      this.logger.warn(
        `Refused a state-changing request from Origin ${JSON.stringify(origin.slice(0, 200))}: publicOrigin is ${this.options.publicOrigin}. ` +
          'If that is where your users browse, set publicOrigin to it (origin_not_allowed).',
      );
    }
    this.refuseCrossSite(req, 'origin_not_allowed');
  }

  private rejectCrossSiteRequests(req: PresentedSessionsRequest, context: ExecutionContext, cookieTokens: string[]): void {
    if (this.routes.flag(CSRF_EXEMPT_METADATA, context)) return;
    if (this.routes.flag(SAME_ORIGIN_METADATA, context)) {
      if (!isOriginAllowed(req, this.options.publicOrigin)) this.refuseOrigin(req);
      // Public sign-in and sign-up routes (login, register) never need the XSRF value, even with a
      // valid cookie. On a route that needs a session the mark adds the Origin check to the XSRF
      // check below; it must not replace it.
      if (this.routes.flag(PUBLIC_ROUTE_METADATA, context)) return;
    }
    // Only a request presenting a valid session cookie is exposed to CSRF (with ambiguous cookies:
    // several, and the XSRF value of one of them is the proof a logout of all of them needs).
    const presentsLiveCookie = req.auth?.method === 'cookie' || req[AMBIGUOUS_SESSIONS] !== undefined;
    if (!presentsLiveCookie || cookieTokens.length === 0 || !isStateChanging(this.edge.method(req))) return;
    if (!isOriginAllowed(req, this.options.publicOrigin)) this.refuseOrigin(req);
    if (!cookieTokens.some((token) => hasValidXsrfToken(req, token))) this.refuseCrossSite(req, 'csrf_token_invalid');
  }
}
