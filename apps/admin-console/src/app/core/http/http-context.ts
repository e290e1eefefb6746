import { HttpContext, HttpContextToken } from '@angular/common/http';

/** The caller handles a 401 itself (sign-in, the session check), so it does not end the local session. */
export const HANDLES_UNAUTHORIZED = new HttpContextToken<boolean>(() => false);

/** The caller handles a 403 `reauth_required` itself (the password confirmation itself). */
export const HANDLES_REAUTH = new HttpContextToken<boolean>(() => false);

/** GET responses may be served from the in-memory cache for this many milliseconds (0: never). */
export const CACHE_FOR_MS = new HttpContextToken<number>(() => 0);

export function handlesUnauthorized(): HttpContext {
  return new HttpContext().set(HANDLES_UNAUTHORIZED, true);
}
