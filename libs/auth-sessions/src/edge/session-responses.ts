import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { Session } from '../sessions/session.entity.js';
import { HttpEdge, type HttpResponse } from './http-edge.js';
import { safeReturnTo } from './return-to.js';
import { SessionCookies } from './session-cookies.js';

/** What the browser must be told when its session starts, rotates or ends. */
@Injectable()
export class SessionResponses {
  constructor(
    private readonly cookies: SessionCookies,
    private readonly edge: HttpEdge,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /** Sets the session and XSRF cookies of a session just opened or rotated. */
  started(res: HttpResponse, session: Session, token: string): void {
    this.cookies.set(res, token, cookieMaxAgeSeconds(session));
  }

  /**
   * Answers for a request whose own session just ended (or never was): clears both cookies with
   * their original attributes, sends `Cache-Control: no-store` and `Clear-Site-Data`. Returns where
   * the client should go next: `returnTo` when it is a safe path on this origin, else the configured redirect.
   */
  ended(res: HttpResponse, returnTo?: unknown): string {
    this.cookies.clear(res);
    this.edge.setHeader(res, 'Cache-Control', 'no-store');
    if (this.options.clearSiteData.length > 0) {
      this.edge.setHeader(res, 'Clear-Site-Data', this.options.clearSiteData.map((directive) => `"${directive}"`).join(', '));
    }
    return safeReturnTo(returnTo, this.options.publicOrigin, this.options.logoutRedirect);
  }
}

/**
 * The `Max-Age` of the cookies for a session: the time left of its absolute lifetime for `rememberMe`,
 * else none (a browser-session cookie). Rounded up to the second: a session opened a few milliseconds
 * ago gets its whole lifetime (the contract's `Max-Age=2592000`, not 2591999), and the cookie never
 * expires before the session does (the server ends it on time whatever the cookie says).
 */
export function cookieMaxAgeSeconds(session: Pick<Session, 'rememberMe' | 'absoluteExpiresAt'>, now = Date.now()): number | null {
  if (!session.rememberMe) return null;
  return Math.max(0, Math.ceil((session.absoluteExpiresAt.getTime() - now) / 1000));
}
