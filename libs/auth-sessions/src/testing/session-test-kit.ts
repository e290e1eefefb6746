import { AssertionError } from 'node:assert';
import type { INestApplicationContext } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { ClientContext } from '../common/client-context.js';
import { SessionCookies, XSRF_COOKIE, XSRF_HEADER } from '../edge/session-cookies.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import { sessionStateAt, type SessionState } from '../sessions/session-state.js';
import { xsrfTokenFor } from '../sessions/session-token.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { assertUserId } from '../sessions/sessions.service.js';
import { SignInService } from '../signin/sign-in.service.js';
import { TokensService } from '../tokens/tokens.service.js';
import type { SignoffUser } from '../users/users-provider.js';

/** Where test sign-ins say they come from (sessions and audit events record it). */
const TEST_CLIENT: ClientContext = { ip: '127.0.0.1', userAgent: 'signoff-testing', requestId: null };

/** A browser session opened for a test: what to send to act as that browser. */
export interface TestCookieSession {
  sessionId: string;
  /** The session token (the value of the `sid` or `__Host-sid` cookie). */
  token: string;
  /** The XSRF value: send it as `X-XSRF-TOKEN` on state-changing requests. */
  xsrfToken: string;
  /** The `Cookie` header value carrying both cookies. */
  cookie: string;
  /** `Cookie` and `X-XSRF-TOKEN` headers, ready for fetch or supertest. */
  headers: Record<string, string>;
}

/** An API client's session opened for a test: a bearer token pair. */
export interface TestBearerSession {
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  /** The `Authorization` header, ready for fetch or supertest. */
  headers: Record<string, string>;
}

/** Options of a test sign-in. */
export interface TestSignInOptions {
  /** A `rememberMe` session (longer lifetimes). @default false */
  rememberMe?: boolean;
}

/**
 * Signs a user in as a browser would after your own sign-in flow, without going through it: opens a
 * cookie session through the library (audit event, device, lifetimes all real) and returns the cookies.
 * @param app your initialised Nest application (or testing module) that imports `AuthSessionsModule`
 * @param user a user your `AuthUsersProvider` knows
 */
export async function signInForTest(app: INestApplicationContext, user: SignoffUser, options: TestSignInOptions = {}): Promise<TestCookieSession> {
  await assertKnownUser(app, user, 'signInForTest');
  const { issued } = await app.get(SignInService, { strict: false }).signIn(user, TEST_CLIENT, { rememberMe: options.rememberMe === true });
  const cookieName = app.get(SessionCookies, { strict: false }).sessionCookieName;
  const xsrfToken = xsrfTokenFor(issued.token);
  const cookie = `${cookieName}=${issued.token}; ${XSRF_COOKIE}=${xsrfToken}`;
  return {
    sessionId: issued.session.id,
    token: issued.token,
    xsrfToken,
    cookie,
    headers: { cookie, [XSRF_HEADER]: xsrfToken },
  };
}

/**
 * Signs a user in as an API client would (`POST /auth/token`), without a password: returns a bearer
 * token pair bound to a new session.
 * @param app your initialised Nest application (or testing module) that imports `AuthSessionsModule`
 * @param user a user your `AuthUsersProvider` knows
 */
export async function signInBearerForTest(app: INestApplicationContext, user: SignoffUser, options: TestSignInOptions = {}): Promise<TestBearerSession> {
  await assertKnownUser(app, user, 'signInBearerForTest');
  const pair = await app.get(TokensService, { strict: false }).signIn(user, TEST_CLIENT, { rememberMe: options.rememberMe === true });
  return {
    sessionId: pair.session_id,
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    headers: { authorization: `Bearer ${pair.access_token}` },
  };
}

/**
 * A session of a user the host's `AuthUsersProvider` does not know is refused on its first request
 * (the guard reads the user each time): say so here, not as a 401 the test cannot explain.
 */
async function assertKnownUser(app: INestApplicationContext, user: SignoffUser, caller: string): Promise<void> {
  assertUserId(user);
  const { users } = app.get<ResolvedAuthSessionsOptions>(AUTH_SESSIONS_OPTIONS, { strict: false });
  if (await users.findById(user.id)) return;
  throw new Error(
    `${caller}: your AuthUsersProvider's findById does not know the user ${JSON.stringify(user.id)}, so the guard would refuse ` +
      "every request of the session with 401: create the user in your users' store first, and pass the user it returns.",
  );
}

/**
 * Where a session stands now, by the same rule as the guard (an epoch bump counts before any job
 * has marked the row); `null` when there is no such session.
 */
export async function sessionStateForTest(app: INestApplicationContext, sessionId: string): Promise<SessionState | null> {
  // PostgreSQL's own answer ("invalid input syntax for type uuid") would not say whose mistake it is.
  if (typeof sessionId !== 'string' || !isUUID(sessionId, 'all')) {
    throw new TypeError(`a session id is a UUID (the sessionId a test sign-in returned), got ${JSON.stringify(sessionId)}`);
  }
  const found = await app.get(SessionRepository, { strict: false }).findById(sessionId);
  return found ? sessionStateAt(found.session, found.userEpoch, new Date()) : null;
}

/**
 * Throws an `AssertionError` (which every test runner reports as a failure) unless the session has
 * ended, and, when `reason` is given, ended for that reason (`logout`, `revoked_by_admin`, …).
 */
export async function assertSessionEnded(app: INestApplicationContext, sessionId: string, reason?: SessionEndReason): Promise<void> {
  const state = await sessionStateForTest(app, sessionId);
  if (!state) throw new AssertionError({ message: `Session ${sessionId} does not exist.`, actual: null, expected: 'ended', operator: 'assertSessionEnded' });
  if (state.status === 'active') {
    throw new AssertionError({
      message: `Session ${sessionId} is still active.`,
      actual: 'active',
      expected: reason ?? 'ended',
      operator: 'assertSessionEnded',
    });
  }
  if (reason !== undefined && state.reason !== reason) {
    throw new AssertionError({
      message: `Session ${sessionId} ended with reason '${state.reason}', not '${reason}'.`,
      actual: state.reason,
      expected: reason,
      operator: 'assertSessionEnded',
    });
  }
}

/**
 * Throws an `AssertionError` unless an HTTP answer is the library's 401 for an ended session
 * (`{ code: 'session_ended' }`), with `reason` when given. Takes the status and the parsed JSON body.
 */
export function assertSessionEndedResponse(response: { status: number; body: unknown }, reason?: SessionEndReason): void {
  const body = response.body as { code?: unknown; reason?: unknown } | null;
  const isEnded = response.status === 401 && body?.code === 'session_ended' && (reason === undefined || body.reason === reason);
  if (!isEnded) {
    throw new AssertionError({
      message: `Expected 401 session_ended${reason ? ` (${reason})` : ''}, got ${response.status} ${JSON.stringify(response.body)}.`,
      actual: { status: response.status, body: response.body },
      expected: { status: 401, body: { code: 'session_ended', ...(reason ? { reason } : {}) } },
      operator: 'assertSessionEndedResponse',
    });
  }
}
