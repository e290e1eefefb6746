import { Inject, Injectable } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { xsrfTokenFor } from './session-token.js';

export const XSRF_COOKIE = 'XSRF-TOKEN';
export const XSRF_HEADER = 'x-xsrf-token';

/** Writes and clears the session and XSRF cookies with exactly the contract's names and attributes. */
@Injectable()
export class SessionCookies {
  /** `__Host-sid` when cookies are Secure, else `sid`. */
  readonly sessionCookieName: string;

  constructor(@Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions) {
    this.sessionCookieName = options.cookieSecure ? '__Host-sid' : 'sid';
  }

  /** Reads the session token by its exact, case-sensitive name. */
  read(req: Request): string | undefined {
    const cookies = (req as Request & { cookies?: Record<string, unknown> }).cookies;
    const value = cookies?.[this.sessionCookieName];
    return typeof value === 'string' ? value : undefined;
  }

  /** Sets both cookies for a token; `maxAgeSeconds` only for `rememberMe` sessions. */
  set(res: Response, token: string, maxAgeSeconds: number | null): void {
    const lifetime = maxAgeSeconds === null ? {} : { maxAge: maxAgeSeconds * 1000 };
    res.cookie(this.sessionCookieName, token, { ...this.sessionAttributes(), ...lifetime });
    res.cookie(XSRF_COOKIE, xsrfTokenFor(token), { ...this.xsrfAttributes(), ...lifetime });
  }

  /** Expires both cookies with the same name, path and attributes they were set with. */
  clear(res: Response): void {
    res.cookie(this.sessionCookieName, '', { ...this.sessionAttributes(), maxAge: 0 });
    res.cookie(XSRF_COOKIE, '', { ...this.xsrfAttributes(), maxAge: 0 });
  }

  private sessionAttributes(): CookieOptions {
    return { path: '/', httpOnly: true, sameSite: 'lax', ...(this.options.cookieSecure ? { secure: true } : {}) };
  }

  private xsrfAttributes(): CookieOptions {
    return { path: '/', sameSite: 'lax', ...(this.options.cookieSecure ? { secure: true } : {}) };
  }
}
