import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import { isStoreUnavailableError } from '../common/store-unavailable.js';
import { StoreUnavailableError } from '../sessions/session.errors.js';
import { executionTargetOf } from './execution-target.js';
import { HttpEdge } from './http-edge.js';
import { asTransportException, needsTransportException } from './transport-errors.js';

/**
 * Answers 503 with a generic body (no driver message, SQL or stack) when a handler fails because
 * PostgreSQL or Redis cannot be reached; every other error passes through untouched, to the host's
 * own exception filters. The library's controllers use it; a host may bind it globally
 * (`app.useGlobalInterceptors(app.get(StoreUnavailableInterceptor))`) for its own routes too.
 */
@Injectable()
export class StoreUnavailableInterceptor implements NestInterceptor {
  private readonly logger = new Logger('AuthSessions');

  constructor(private readonly edge: HttpEdge) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (!isStoreUnavailableError(error)) return throwError(() => error);
        this.logger.warn(`Dependency unavailable: ${(error as Error).message}`);
        const target = executionTargetOf(context);
        if (target.kind === 'http' && target.res && !this.edge.isHeadersSent(target.res)) {
          this.edge.setHeader(target.res, 'Cache-Control', 'no-store');
        }
        const unavailable = new StoreUnavailableError({ cause: error });
        // A gateway's or a microservice's client gets 503 service_unavailable, not "Internal server error".
        if (needsTransportException(context)) return from(asTransportException(context, unavailable)).pipe(mergeMap((refusal) => throwError(() => refusal)));
        return throwError(() => unavailable);
      }),
    );
  }
}
