import type { SignoffUser } from '../users/users-provider.js';
import type { Session } from './session.entity.js';

/** Who is calling: what the guard attaches to an authenticated request or connection. */
export interface RequestAuth {
  session: Session;
  user: SignoffUser;
  /** How the caller authenticated: the session cookie or an `Authorization: Bearer` token. */
  method: 'cookie' | 'bearer';
  expiresAt: Date;
}

// The mark of an auth the library built. Not exported from the package, and not `Symbol.for`: only
// this module can make it, so nothing else that writes `req.auth` (express-jwt, a host's own guard)
// makes a value the library's guards and decorators take for a signed-in caller.
const ISSUED: unique symbol = Symbol('signoff.request-auth');

interface IssuedAuth extends RequestAuth {
  readonly [ISSUED]: true;
}

/** The auth of a session the library has just checked, marked as the library's own. */
export function requestAuth(session: Session, user: SignoffUser, method: RequestAuth['method'], expiresAt: Date): RequestAuth {
  const auth: IssuedAuth = { session, user, method, expiresAt, [ISSUED]: true };
  return auth;
}

/**
 * Whether a value is an auth the library built (by `requestAuth`, or copied from one with a spread,
 * which keeps the mark): what `req.auth` must be for the library to treat the request as signed in.
 */
export function isRequestAuth(value: unknown): value is RequestAuth {
  return typeof value === 'object' && value !== null && (value as Partial<IssuedAuth>)[ISSUED] === true;
}
