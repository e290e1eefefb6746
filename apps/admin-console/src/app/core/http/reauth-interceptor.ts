import { HttpErrorResponse, HttpXsrfTokenExtractor, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, switchMap, throwError } from 'rxjs';
import { StepUp } from '../auth/step-up';
import { apiProblemOf } from './api-error';
import { HANDLES_REAUTH } from './http-context';

const XSRF_HEADER = 'X-XSRF-TOKEN';

/**
 * A 403 `reauth_required` asks for the password (one dialog for any number of waiting requests), then sends
 * the request again. Re-authentication rotates the XSRF cookie, and Angular's XSRF interceptor has already
 * stamped the old value on this request, so the retry carries the new one explicitly.
 */
export const reauthInterceptor: HttpInterceptorFn = (req, next) => {
  if (req.context.get(HANDLES_REAUTH)) return next(req);
  const stepUp = inject(StepUp);
  const xsrf = inject(HttpXsrfTokenExtractor);
  return next(req).pipe(
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse) || error.status !== 403 || apiProblemOf(error).code !== 'reauth_required') {
        return throwError(() => error);
      }
      return stepUp.confirm().pipe(
        switchMap((confirmed) => {
          if (!confirmed) return throwError(() => error);
          const token = xsrf.getToken();
          return next(token && req.headers.has(XSRF_HEADER) ? req.clone({ setHeaders: { [XSRF_HEADER]: token } }) : req);
        }),
      );
    }),
  );
};
