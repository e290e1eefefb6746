import { type CanActivate, type ExecutionContext, ForbiddenException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { authOf, replaceAuth } from '../edge/execution-target.js';
import { translateStoreErrors } from '../edge/store-errors.js';
import { SessionRejectedError } from '../sessions/session.errors.js';

/** The role every admin route needs. */
export const ADMIN_ROLE = 'admin';

/**
 * The admin routes' own role check. The session guard may serve a request from the instance cache,
 * whose copy of the user can be up to two seconds old; admin routes re-read the user from the host on
 * every request instead, so removing the admin role counts at once. The fresh user then replaces the
 * cached one on the request, so `endedBy` and audit actors carry current data.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return translateStoreErrors(async () => {
      const auth = authOf(context);
      if (!auth) throw new SessionRejectedError('unauthenticated');
      const user = await this.options.users.findById(auth.user.id);
      if (!user) throw new SessionRejectedError('unauthenticated');
      if (!user.roles.includes(ADMIN_ROLE)) {
        throw new ForbiddenException({ statusCode: HttpStatus.FORBIDDEN, message: `This needs the ${ADMIN_ROLE} role.`, code: 'forbidden' });
      }
      replaceAuth(context, { ...auth, user });
      return true;
    });
  }
}
