import { HttpException } from '@nestjs/common';

/** The GraphQL `extensions` of an error the guards raise (see `withErrorExtensions`). */
export interface SignoffErrorExtensions {
  /** The GraphQL convention: `UNAUTHENTICATED` (401), `FORBIDDEN` (403), `SERVICE_UNAVAILABLE` (503), `BAD_REQUEST` (400). */
  code: string;
  /** The HTTP status the same request would have got. */
  status: number;
  /** The contract's `code`: `session_ended`, `token_expired`, `csrf_token_invalid`, `forbidden`, `service_unavailable`, … */
  authCode?: string;
  /** Why the session ended, for `session_ended` and `session_expired`. */
  reason?: string;
}

const GRAPHQL_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Gives one of the library's HTTP errors GraphQL `extensions`, so every GraphQL driver reports the
 * same thing: graphql-js copies an error's own `extensions` into the GraphQL error (Mercurius shows
 * them as they are; Apollo adds its own `code` for 401/403, the same values, and `originalError`).
 * HTTP answers are unchanged: their body is the exception's response, and `extensions` is not
 * enumerable.
 */
export function withErrorExtensions<T>(error: T): T {
  if (!(error instanceof HttpException) || 'extensions' in error) return error;
  const status = error.getStatus();
  const body = responseBodyOf(error);
  const extensions: SignoffErrorExtensions = {
    code: GRAPHQL_CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'),
    status,
    ...(typeof body['code'] === 'string' ? { authCode: body['code'] } : {}),
    ...(typeof body['reason'] === 'string' ? { reason: body['reason'] } : {}),
  };
  Object.defineProperty(error, 'extensions', { value: extensions, enumerable: false, configurable: true });
  return error;
}

/** The JSON body an `HttpException` answers with (`{ statusCode, message, code?, reason? }` for the library's), or `{}` for a text one. */
export function responseBodyOf(error: HttpException): Record<string, unknown> {
  const response = error.getResponse();
  return typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
}
