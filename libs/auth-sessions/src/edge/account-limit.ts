import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, Optional } from '@nestjs/common';
import { catchError, type Observable, throwError } from 'rxjs';
import { SecurityEvents } from '../audit/security-events.js';
import { TooManyAttemptsError } from '../sessions/session.errors.js';
import { executionTargetOf, requestAuthOf } from './execution-target.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from './http-edge.js';
import { securityEventSource } from './security-event-source.js';

/**
 * The edge of a password check refused because its account is over the per-account limit
 * (`rateLimit.account`): the 429's `Retry-After`, and the `authn_login_lock` security event (AUD-06).
 */
export function reportAccountLimited(
  edge: HttpEdge,
  securityEvents: SecurityEvents | undefined,
  req: HttpRequest,
  res: HttpResponse | undefined,
  error: TooManyAttemptsError,
): void {
  if (res && !edge.isHeadersSent(res)) edge.setHeader(res, 'Retry-After', String(error.retryAfterSeconds));
  // On the signed-in routes (reauth, password, email): whose session was refused.
  const auth = requestAuthOf(req);
  securityEvents?.record('authn_login_lock', securityEventSource(edge, req), {
    code: 'rate_limited',
    reason: 'account_limit',
    // Which budget is used up: the familiar places' (someone where the owner signs in) or elsewhere's.
    ...(error.places ? { places: error.places } : {}),
    ...(auth ? { userId: auth.user.id, sessionId: auth.session.id } : {}),
  });
}

/**
 * For the routes that check the caller's password (reauth, password and email change): a
 * `TooManyAttemptsError` from the handler gets its `Retry-After` and security event on the way out.
 */
@Injectable()
export class AccountLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly edge: HttpEdge,
    // Optional only so an interceptor built by hand (unit tests) needs none; the module always provides it.
    @Optional() private readonly securityEvents?: SecurityEvents,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        const target = executionTargetOf(context);
        if (error instanceof TooManyAttemptsError && target.kind === 'http')
          reportAccountLimited(this.edge, this.securityEvents, target.req, target.res, error);
        return throwError(() => error);
      }),
    );
  }
}
