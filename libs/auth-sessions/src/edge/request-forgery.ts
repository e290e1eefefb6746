import { constantTimeEquals, xsrfTokenFor } from '../sessions/session-token.js';
import { type HttpRequest, requestHeader } from './http-edge.js';
import { XSRF_HEADER } from './session-cookies.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the method changes state (POST, PUT, PATCH, DELETE and anything else unsafe). */
export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Whether the `Origin` header is absent or exactly the public origin. */
export function isOriginAllowed(req: HttpRequest, publicOrigin: string): boolean {
  const origin = requestHeader(req, 'origin');
  return origin === undefined || origin === publicOrigin;
}

/**
 * Whether the request proves it comes from our own page: the `X-XSRF-TOKEN` header (Angular's
 * HttpClient convention) or, for a plain HTML form, a `_csrf` body field, equal to the XSRF value
 * bound to this session token.
 */
export function hasValidXsrfToken(req: HttpRequest, sessionToken: string): boolean {
  const expected = xsrfTokenFor(sessionToken);
  const header = requestHeader(req, XSRF_HEADER);
  const field = (req.body as Record<string, unknown> | undefined)?.['_csrf'];
  const presented = typeof header === 'string' ? header : typeof field === 'string' ? field : undefined;
  return presented !== undefined && constantTimeEquals(presented, expected);
}
