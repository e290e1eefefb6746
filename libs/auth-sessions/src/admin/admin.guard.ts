import { type CanActivate, type ExecutionContext, ForbiddenException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AuthenticatedRequest } from '../sessions/request-auth.js';
import { SessionRejectedError } from '../sessions/session.errors.js';

/** The role every admin route needs. */
export const ADMIN_ROLE = 'admin';

/**
 * The admin routes' own role check. The session guard may serve a request from the instance cache,
 * whose copy of the user can be up to two seconds old; admin routes re-read the user from the host on
 * every request instead, so removing the admin role counts at once (ADM-04). The fresh user then
 * replaces the cached one on the request, so `endedBy` and audit actors carry current data.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!req.auth) throw new SessionRejectedError('unauthenticated');
    const user = await this.options.users.findById(req.auth.user.id);
    if (!user) throw new SessionRejectedError('unauthenticated');
    if (!user.roles.includes(ADMIN_ROLE)) {
      throw new ForbiddenException({ statusCode: HttpStatus.FORBIDDEN, message: `This needs the ${ADMIN_ROLE} role.`, code: 'forbidden' });
    }
    req.auth = { ...req.auth, user };
    return true;
  }
}
