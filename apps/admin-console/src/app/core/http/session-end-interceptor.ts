import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, throwError } from 'rxjs';
import { ClientSession } from '../auth/client-session';
import { apiProblemOf } from './api-error';
import { HANDLES_UNAUTHORIZED } from './http-context';

/** A 401 from any call means the session is over: end it locally, the same way a logout does, with the server's reason. */
export const sessionEndInterceptor: HttpInterceptorFn = (req, next) => {
  if (req.context.get(HANDLES_UNAUTHORIZED)) return next(req);
  const session = inject(ClientSession);
  return next(req).pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && error.status === 401) {
        void session.end({ reason: apiProblemOf(error).reason });
      }
      return throwError(() => error);
    }),
  );
};
