import { HttpErrorResponse, type HttpInterceptorFn, type HttpEvent, type HttpRequest, type HttpHandlerFn } from '@angular/common/http';
import { DOCUMENT, inject } from '@angular/core';
import { catchError, type Observable, throwError } from 'rxjs';
import { apiProblemOf } from './api-error';

/** Angular's XSRF convention, which the API follows: the cookie it reads and the header it sends. */
const XSRF_COOKIE = 'XSRF-TOKEN';
const XSRF_HEADER = 'X-XSRF-TOKEN';

/**
 * Every value of the XSRF cookie the page can see, in the browser's order. `document.cookie` gives
 * names and values only; a cookie another site planted under the same name is listed beside ours.
 */
export function xsrfCookieValues(cookies: string): string[] {
  return cookies
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${XSRF_COOKIE}=`))
    .map((pair) => {
      const value = pair.slice(XSRF_COOKIE.length + 1);
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    });
}

/**
 * A sibling subdomain can plant an `XSRF-TOKEN` cookie of its own (`Domain=` the parent, a longer
 * `Path`), which the browser lists first and Angular sends as the header: every state-changing call,
 * logout included, would then be refused with 403 `csrf_token_invalid`, and the user could not even
 * sign out. On that answer, when the page sees several values, the call goes once more with each of
 * the others: the API accepts only the value bound to this session, and sending the page's own cookie
 * values to its own API tells no one anything. Angular's XSRF interceptor runs before this one, so the
 * request's header is the value already tried.
 */
export const xsrfRetryInterceptor: HttpInterceptorFn = (req, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || !req.headers.has(XSRF_HEADER)) return next(req);
  const tried = req.headers.get(XSRF_HEADER);
  const others = [...new Set(xsrfCookieValues(inject(DOCUMENT).cookie))].filter((value) => value !== tried);
  return withEachValue(req, next, next(req), others);
};

function withEachValue(
  req: HttpRequest<unknown>,
  next: HttpHandlerFn,
  attempt: Observable<HttpEvent<unknown>>,
  others: string[],
): Observable<HttpEvent<unknown>> {
  return attempt.pipe(
    catchError((error: unknown) => {
      const refusedXsrf = error instanceof HttpErrorResponse && error.status === 403 && apiProblemOf(error).code === 'csrf_token_invalid';
      if (!refusedXsrf || others.length === 0) return throwError(() => error);
      const [value, ...rest] = others;
      return withEachValue(req, next, next(req.clone({ setHeaders: { [XSRF_HEADER]: value } })), rest);
    }),
  );
}
