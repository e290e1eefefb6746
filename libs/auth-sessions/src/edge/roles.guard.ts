import { type CanActivate, type ExecutionContext, ForbiddenException, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROLES_METADATA } from '../auth-sessions.constants.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import { withErrorExtensions } from './error-extensions.js';
import { authOf } from './execution-target.js';
import { RouteMetadata } from './route-metadata.js';
import { asTransportException, needsTransportException } from './transport-errors.js';

/** Enforces `@Roles(...)` on every request, from the host's current user data (a demotion counts at once). */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly routes: RouteMetadata;

  constructor(reflector: Reflector) {
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
    return new ForbiddenException({
      statusCode: HttpStatus.FORBIDDEN,
      message: `This needs the ${roles.join(', ')} role.`,
      code: 'forbidden',
    });
  }
}
