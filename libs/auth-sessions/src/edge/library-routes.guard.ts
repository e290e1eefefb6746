import { type CanActivate, type ExecutionContext, Inject, Injectable, type Type } from '@nestjs/common';
import { RolesGuard } from './edge/roles.guard.js';
import { SessionGuard } from './edge/session.guard.js';
import { AuthRateLimitGuard } from './throttling/auth-rate-limit.guard.js';

/** The controllers of the library mounted in this app (set by the module). */
export const LIBRARY_CONTROLLERS = Symbol('AUTH_SESSIONS_LIBRARY_CONTROLLERS');

/**
 * With `globalGuard: false`: the rate limiter, `SessionGuard` and `RolesGuard` for the library's own
 * routes only. Every other route of the app is left to the host, which binds `SessionGuard` where
 * it wants it; the library's routes stay authenticated and limited either way.
 */
@Injectable()
export class LibraryRoutesGuard implements CanActivate {
  constructor(
    @Inject(LIBRARY_CONTROLLERS) private readonly controllers: ReadonlySet<Type<unknown>>,
    private readonly rateLimit: AuthRateLimitGuard,
    private readonly session: SessionGuard,
    private readonly roles: RolesGuard,
  ) {}

  // Synchronous for the host's routes: Nest then does not wait a tick for this guard on every request.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.controllers.has(context.getClass())) return true;
    return this.guardLibraryRoute(context);
  }

  private async guardLibraryRoute(context: ExecutionContext): Promise<boolean> {
    return (await this.rateLimit.canActivate(context)) && (await this.session.canActivate(context)) && this.roles.canActivate(context);
  }
}
