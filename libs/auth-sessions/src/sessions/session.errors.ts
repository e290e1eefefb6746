import { ForbiddenException, HttpException, HttpStatus, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import type { SessionEndReason } from '../common/session-end-reason.js';

/** The `code` of a 401: why the credentials were not accepted. */
export type UnauthenticatedCode = 'session_ended' | 'session_expired' | 'token_expired' | 'unauthenticated';

const MESSAGES: Record<UnauthenticatedCode, string> = {
  session_ended: 'Your session has ended; sign in again.',
  session_expired: 'Your session has expired; sign in again.',
  token_expired: 'The access token has expired; refresh it.',
  unauthenticated: 'Sign in to continue.',
};

/** 401 with the contract's `code` and, for ended or expired sessions, the `reason`. */
export class SessionRejectedError extends UnauthorizedException {
  constructor(
    readonly code: UnauthenticatedCode,
    readonly reason?: SessionEndReason,
  ) {
    super({ statusCode: HttpStatus.UNAUTHORIZED, message: MESSAGES[code], code, ...(reason ? { reason } : {}) });
  }
}

/** 403 `reauth_required`: the action needs a session signed in or re-authenticated within `freshAge`. */
export class ReauthRequiredError extends ForbiddenException {
  constructor() {
    super({
      statusCode: HttpStatus.FORBIDDEN,
      message: 'This action needs a recent sign-in; confirm your password with POST /api/auth/reauth and retry.',
      code: 'reauth_required',
    });
  }
}

/** 403 `invalid_password`: the password given to confirm an action is wrong. */
export class InvalidPasswordError extends ForbiddenException {
  constructor() {
    super({ statusCode: HttpStatus.FORBIDDEN, message: 'The password is not correct.', code: 'invalid_password' });
  }
}

/** 403 from the CSRF and Origin rules: nothing was changed. */
export class CrossSiteRequestError extends ForbiddenException {
  constructor(code: 'csrf_token_invalid' | 'origin_not_allowed') {
    super({
      statusCode: HttpStatus.FORBIDDEN,
      message:
        code === 'origin_not_allowed'
          ? 'Requests from this origin are not allowed.'
          : 'Missing or invalid XSRF token: send the XSRF-TOKEN cookie value in the X-XSRF-TOKEN header.',
      code,
    });
  }
}

/** 503: the session store (PostgreSQL) or Redis cannot be reached, so nothing could be checked or changed. */
export class StoreUnavailableError extends ServiceUnavailableException {
  /** @param options.cause the driver error, kept for logs; it never reaches the response body */
  constructor(options: { cause?: unknown } = {}) {
    super(
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        message: 'A required service is unavailable; nothing was changed. Try again shortly.',
        code: 'service_unavailable',
      },
      options.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

/** 429 with the seconds to wait; the library's guards and interceptors also send them as `Retry-After`. */
export class TooManyAttemptsError extends HttpException {
  /**
   * @param retryAfterSeconds the seconds to wait
   * @param places for the per-account limit, which of the account's budgets is used up: its familiar
   *   places' (`rateLimit.account.familiarLimit`) or everywhere else's (`limit`); null for a per-IP limit
   */
  constructor(
    readonly retryAfterSeconds: number,
    readonly places: 'familiar' | 'unfamiliar' | null = null,
  ) {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: `Too many attempts; try again in ${retryAfterSeconds} seconds.`, code: 'rate_limited' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
