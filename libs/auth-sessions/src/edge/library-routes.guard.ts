import { applyDecorators, type CanActivate, Controller, type ExecutionContext, Inject, Injectable, UseGuards } from '@nestjs/common';
import { AUTH_SESSIONS_MODULE_EXTRAS, type ResolvedAuthSessionsModuleExtras } from '../auth-sessions.module-definition.js';
import { RolesGuard } from './roles.guard.js';
import { SessionGuard } from './session.guard.js';

/** The rate limiter the library's routes go through (the module binds it to `AuthRateLimitGuard`). */
export const LIBRARY_RATE_LIMIT = Symbol('AUTH_SESSIONS_LIBRARY_RATE_LIMIT');

/** What the guard needs of the rate limiter: a check that answers now or in a promise. */
export interface LibraryRateLimit {
  canActivate(context: ExecutionContext): boolean | Promise<boolean>;
}

/**
 * The library's own routes are guarded here, whatever the host binds: with `globalGuard: true` the
 * rate limiter, `SessionGuard` and `RolesGuard` are global (`APP_GUARD`) and have already run, so
 * this lets the request on; with `globalGuard: false` nothing global is bound, and this runs the same
 * three for the library's routes only. The host's own routes never meet a guard of the library then,
 * not even one that looks at the route and lets it pass (Nest's guard step costs every request).
 *
 * Bound to each library controller by `@LibraryController()`; its flag comes from the module of the
 * app serving the request, so apps in one process may choose differently.
 */
@Injectable()
export class LibraryRoutesGuard implements CanActivate {
  constructor(
    @Inject(AUTH_SESSIONS_MODULE_EXTRAS) private readonly extras: ResolvedAuthSessionsModuleExtras,
    @Inject(LIBRARY_RATE_LIMIT) private readonly rateLimit: LibraryRateLimit,
    private readonly session: SessionGuard,
    private readonly roles: RolesGuard,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.extras.globalGuard) return true;
    return this.guardLibraryRoute(context);
  }

  private async guardLibraryRoute(context: ExecutionContext): Promise<boolean> {
    return (await this.rateLimit.canActivate(context)) && (await this.session.canActivate(context)) && this.roles.canActivate(context);
  }
}

/**
 * `@Controller(path)` for the library's controllers, with `LibraryRoutesGuard` as their first guard.
 * Put a controller's own `@UseGuards()` above it, so those run after it (decorators apply bottom-up).
 */
export function LibraryController(path: string): ClassDecorator {
  return applyDecorators(Controller(path), UseGuards(LibraryRoutesGuard));
}
