import { type CanActivate, type ExecutionContext, ForbiddenException, HttpStatus, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROLES_METADATA } from '../auth-sessions.constants.js';
import { SecurityEvents } from '../audit/security-events.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import { withErrorExtensions } from './error-extensions.js';
import { authOf, executionTargetOf } from './execution-target.js';
import { HttpEdge } from './http-edge.js';
import { RouteMetadata } from './route-metadata.js';
import { securityEventSource } from './security-event-source.js';
import { asTransportException, needsTransportException } from './transport-errors.js';

/** Enforces `@Roles(...)` on every request, from the host's current user data (a demotion counts at once). */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly routes: RouteMetadata;

  constructor(
    reflector: Reflector,
    // Optional only so a guard built by hand (unit tests) needs neither; the module always provides both.
    @Optional() private readonly edge?: HttpEdge,
    @Optional() private readonly securityEvents?: SecurityEvents,
  ) {
    this.routes = new RouteMetadata(reflector);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const refusal = this.refusal(context);
    if (!refusal) return true;
    // A gateway's or a microservice's client gets the contract's code, not "Internal server error".
    if (needsTransportException(context)) return asTransportException(context, refusal).then((error) => Promise.reject(error));
    throw withErrorExtensions(refusal);
  }

  private refusal(context: ExecutionContext): Error | undefined {
    const roles = this.routes.get<string[]>(ROLES_METADATA, context);
    if (!roles?.length) return undefined;
    const auth = authOf(context);
    if (!auth) return new SessionRejectedError('unauthenticated');
    if (roles.every((role) => auth.user.roles.includes(role))) return undefined;
    // A signed-in caller reaching for a route of a role they lack (AUD-06); logged for HTTP requests.
    const target = executionTargetOf(context);
    if (target.kind === 'http' && this.edge) {
      this.securityEvents?.record('authz_fail', securityEventSource(this.edge, target.req), {
        code: 'forbidden',
        sessionId: auth.session.id,
        userId: auth.user.id,
        requiredRoles: roles,
      });
    }
    return new ForbiddenException({
      statusCode: HttpStatus.FORBIDDEN,
      message: `This needs the ${roles.join(', ')} role.`,
      code: 'forbidden',
    });
  }
}
