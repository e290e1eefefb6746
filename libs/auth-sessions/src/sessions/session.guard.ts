import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { PUBLIC_ROUTE_METADATA } from '../auth-sessions.constants.js';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { CrossSiteRequestError, SessionRejectedError } from './session.errors.js';
import { CSRF_EXEMPT_METADATA, NOT_ACTIVITY_METADATA, SAME_ORIGIN_METADATA } from './session.decorators.js';
import { SessionCookies } from './session-cookies.js';
import type { AuthenticatedRequest } from './request-auth.js';
import { hasValidXsrfToken, isOriginAllowed, isStateChanging } from './request-forgery.js';
import { SessionsService } from './sessions.service.js';
import { BearerAuthenticator } from './bearer-authenticator.js';

/**
 * The global guard: resolves the session of every request against PostgreSQL, so a revoked session
 * is rejected on the very next request on every instance. `@Public()` routes still resolve a valid
 * cookie (logout and login need it) but let anonymous callers through.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly cookies: SessionCookies,
    private readonly bearer: BearerAuthenticator,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.flag(PUBLIC_ROUTE_METADATA, targets);

    // An Authorization header authenticates the request alone: any cookie is then ignored.
    const authorization = req.get('authorization');
    const cookieToken = authorization === undefined ? this.cookies.read(req) : undefined;
    if (authorization !== undefined || cookieToken !== undefined) {
      res.setHeader('Cache-Control', 'no-store');
      const result =
        authorization !== undefined
          ? await this.bearer.authenticate(authorization)
          : await this.sessions.authenticate(cookieToken!);
      if (result.ok) {
        req.auth = {
          session: result.session,
          user: result.user,
          method: authorization !== undefined ? 'bearer' : 'cookie',
          expiresAt: result.expiresAt,
        };
      } else if (!isPublic) {
        throw new SessionRejectedError(result.code, result.reason);
      }
    }
    if (!req.auth && !isPublic) throw new SessionRejectedError('unauthenticated');

    this.rejectCrossSiteRequests(req, targets, cookieToken);
    if (req.auth && !this.flag(NOT_ACTIVITY_METADATA, targets)) {
      await this.sessions.recordActivity(req.auth.session);
    }
    return true;
  }

  private rejectCrossSiteRequests(req: AuthenticatedRequest, targets: Parameters<Reflector['getAllAndOverride']>[1], cookieToken: string | undefined): void {
    if (this.flag(CSRF_EXEMPT_METADATA, targets)) return;
    // Login and register check the Origin but never need the XSRF value, even with a valid cookie.
    if (this.flag(SAME_ORIGIN_METADATA, targets)) {
      if (!isOriginAllowed(req, this.options.publicOrigin)) throw new CrossSiteRequestError('origin_not_allowed');
      return;
    }
    // Only a request authenticated by a valid session cookie is exposed to CSRF.
    if (req.auth?.method !== 'cookie' || cookieToken === undefined || !isStateChanging(req.method)) return;
    if (!isOriginAllowed(req, this.options.publicOrigin)) throw new CrossSiteRequestError('origin_not_allowed');
    if (!hasValidXsrfToken(req, cookieToken)) throw new CrossSiteRequestError('csrf_token_invalid');
  }

  private flag(key: string, targets: Parameters<Reflector['getAllAndOverride']>[1]): boolean {
    return this.reflector.getAllAndOverride<boolean | undefined>(key, targets) === true;
  }
}
