import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { xsrfTokenFor } from '../sessions/session-token.js';
import { type CookieAttributes, HttpEdge, type HttpResponse } from './http-edge.js';

export const XSRF_COOKIE = 'XSRF-TOKEN';
export const XSRF_HEADER = 'x-xsrf-token';

/** Reads, writes and clears the session and XSRF cookies with exactly the contract's names and attributes. */
@Injectable()
export class SessionCookies {
  /** `__Host-sid` when cookies are Secure, else `sid`. */
  readonly sessionCookieName: string;

  constructor(
    private readonly edge: HttpEdge,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {
    this.sessionCookieName = options.cookieSecure ? '__Host-sid' : 'sid';
  }

  /** Sets both cookies for a token; `maxAgeSeconds` only for `rememberMe` sessions. */
  set(res: HttpResponse, token: string, maxAgeSeconds: number | null): void {
    const lifetime = maxAgeSeconds === null ? {} : { maxAge: maxAgeSeconds };
    this.edge.setCookie(res, this.sessionCookieName, token, { ...this.sessionAttributes(), ...lifetime });
    this.edge.setCookie(res, XSRF_COOKIE, xsrfTokenFor(token), { ...this.xsrfAttributes(), ...lifetime });
  }

  /** Expires both cookies with the same name, path and attributes they were set with. */
  clear(res: HttpResponse): void {
    this.edge.setCookie(res, this.sessionCookieName, '', { ...this.sessionAttributes(), maxAge: 0 });
    this.edge.setCookie(res, XSRF_COOKIE, '', { ...this.xsrfAttributes(), maxAge: 0 });
  }

  private sessionAttributes(): CookieAttributes {
    return { path: '/', httpOnly: true, sameSite: 'lax', ...(this.options.cookieSecure ? { secure: true } : {}) };
  }

  private xsrfAttributes(): CookieAttributes {
    return { path: '/', sameSite: 'lax', ...(this.options.cookieSecure ? { secure: true } : {}) };
  }
}
