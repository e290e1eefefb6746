import { BadRequestException, HttpStatus, Logger } from '@nestjs/common';
import { type RequestAuth, requestAuth } from '../sessions/request-auth.js';
import type { AuthenticationResult } from '../sessions/sessions.service.js';
import { isWellFormedSessionToken } from '../sessions/session-token.js';
import { type AuthenticatedRequest, requestAuthOf } from './execution-target.js';

/**
 * At most this many distinct well-formed session cookies are looked up for one request; a request
 * with more is refused (400) and changes nothing. A browser of ours holds one; a planted duplicate
 * makes two; more than a few is an attack on the lookup itself.
 */
export const MAX_SESSION_COOKIES = 4;

type LiveResult = Extract<AuthenticationResult, { ok: true }>;

/**
 * Which session a request's session cookies present (see docs/security-model.md, "Duplicate
 * session cookies"):
 * - `none`: no session cookie;
 * - `one`: the session to use, `result` says whether it is live: the only live session among the
 *   cookies, or, when none is live, the most telling failure (ended or expired before unknown);
 * - `ambiguous`: two or more cookies name different live sessions. The request authenticates as
 *   nobody (never one of them, never a mix); logout ends all of them.
 */
export type PresentedSession =
  { kind: 'none' } | { kind: 'one'; token: string; result: AuthenticationResult } | { kind: 'ambiguous'; live: Array<{ token: string; result: LiveResult }> };

const logger = new Logger('AuthSessions');

/**
 * Resolves the session cookie values of a request (in the order sent) to the session they present.
 * Values that are not well-formed tokens never reach the store; at most `MAX_SESSION_COOKIES`
 * lookups are made, else 400.
 * @param values every value of the session cookie (`HttpEdge.cookies`)
 * @param authenticate checks one token (`SessionsService.authenticate`)
 */
export async function resolvePresentedSession(values: string[], authenticate: (token: string) => Promise<AuthenticationResult>): Promise<PresentedSession> {
  if (values.length === 0) return { kind: 'none' };
  const candidates = [...new Set(values.filter((value) => isWellFormedSessionToken(value)))];
  if (candidates.length === 0) return { kind: 'one', token: values[0], result: await authenticate(values[0]) };
  if (candidates.length > MAX_SESSION_COOKIES) throw new TooManySessionCookiesError(candidates.length);
  const results = await Promise.all(candidates.map(async (token) => ({ token, result: await authenticate(token) })));
  const live = results.filter((entry): entry is { token: string; result: LiveResult } => entry.result.ok);
  const distinctLive = new Set(live.map((entry) => entry.result.session.id));
  if (values.length > 1) {
    // Session ids, never token values: they are what an operator can look up.
    logger.warn(
      `A request carried ${values.length} session cookies (${candidates.length} well-formed, ${distinctLive.size} live` +
        `${distinctLive.size > 0 ? `: sessions ${[...distinctLive].join(', ')}` : ''}); ` +
        (distinctLive.size > 1 ? 'refused to choose between live sessions.' : distinctLive.size === 1 ? 'used the live one.' : 'none is live.'),
    );
  }
  if (distinctLive.size > 1) return { kind: 'ambiguous', live };
  if (live.length > 0) return { kind: 'one', token: live[0].token, result: live[0].result };
  const telling = results.find((entry) => !entry.result.ok && entry.result.code !== 'unauthenticated') ?? results[0];
  return { kind: 'one', token: telling.token, result: telling.result };
}

/** Where the guard keeps the live sessions of an ambiguous request, for logout: a symbol no client can set. */
export const AMBIGUOUS_SESSIONS: unique symbol = Symbol.for('signoff.ambiguous-sessions');

/** A request as the guard leaves it, with the live sessions of ambiguous session cookies. */
export interface PresentedSessionsRequest extends AuthenticatedRequest {
  [AMBIGUOUS_SESSIONS]?: RequestAuth[];
}

/**
 * Every live session the request's credentials present: its own auth, or, when its session cookies
 * named several live sessions, all of them (what logout must end so that nothing stays signed in).
 */
export function presentedSessions(req: PresentedSessionsRequest): RequestAuth[] {
  const auth = requestAuthOf(req);
  if (auth) return [auth];
  return req[AMBIGUOUS_SESSIONS] ?? [];
}

/** The auth of an ambiguous request's live sessions (cookie-authenticated). */
export function ambiguousAuths(presented: Extract<PresentedSession, { kind: 'ambiguous' }>): RequestAuth[] {
  return presented.live.map(({ result }) => requestAuth(result.session, result.user, 'cookie', result.expiresAt));
}

/** 400: more session cookies than the library looks at. Nothing was changed. */
export class TooManySessionCookiesError extends BadRequestException {
  constructor(count: number) {
    super({
      statusCode: HttpStatus.BAD_REQUEST,
      message: `The request carries ${count} different session cookies; at most ${MAX_SESSION_COOKIES} are read. Clear this site's cookies and sign in again.`,
      code: 'too_many_session_cookies',
    });
  }
}

/**
 * The cookie session a sign-in replaces: the request's own when `SessionGuard` found it by cookie,
 * else the one live session its cookies name. The guard finds none when it did not run on the route
 * (a host with `globalGuard: false` that guards its sign-in route with its strategy alone) or when an
 * `Authorization` header made it ignore the cookie (one that did not verify, or a valid access token
 * of another session); the sign-in still overwrites that cookie, so its session must end rather than
 * stay signed in unseen. A bearer session is never replaced by a cookie sign-in: it is another
 * client's. Cookies naming several live sessions replace none, as when the guard reads them.
 */
export async function sessionToReplace(
  req: AuthenticatedRequest,
  cookieValues: string[],
  authenticate: (token: string) => Promise<AuthenticationResult>,
): Promise<RequestAuth | undefined> {
  const own = requestAuthOf(req);
  if (own?.method === 'cookie') return own;
  const presented = await resolvePresentedSession(cookieValues, authenticate);
  if (presented.kind !== 'one' || !presented.result.ok) return undefined;
  const { session, user, expiresAt } = presented.result;
  return requestAuth(session, user, 'cookie', expiresAt);
}
