import { HttpStatus, UnsupportedMediaTypeException } from '@nestjs/common';
import { requestHeader, type HttpRequest } from './http-edge.js';

/** JSON, and the form encoding a plain HTML form posts (logout's `_csrf` field, a no-script client). */
export const JSON_AND_FORM_BODIES: readonly string[] = ['application/json', 'application/x-www-form-urlencoded'];

/** The route checks its body's media type itself and answers in its own protocol's error shape (the SSO receivers). */
export const ANY_BODY = '*';

const METHODS_WITH_BODIES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Why the library cannot read this request's body, or undefined when it can (or there is none).
 *
 * The host owns the body parsers, and a body no parser reads does not fail: Express leaves
 * `req.body` unset and the route would run as if the client had sent no body at all (a
 * `{"keepCurrent": true}` sent as `text/plain` to logout-all ended the caller's own session too).
 * So a body counts as sent when the request announces one (`Content-Length` above 0, or
 * `Transfer-Encoding`), and it must then be of a media type the route reads (`accepted`) and have
 * been read by the host's parser.
 */
export function unreadableBodyProblem(req: HttpRequest, accepted: readonly string[]): string | undefined {
  if (!METHODS_WITH_BODIES.has((req.method ?? 'GET').toUpperCase())) return undefined;
  const length = requestHeader(req, 'content-length');
  if (requestHeader(req, 'transfer-encoding') === undefined && (length === undefined || Number(length) === 0)) return undefined;
  if (accepted.includes(ANY_BODY)) return undefined;
  const type = (requestHeader(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  const expected = accepted.join(' or ');
  if (!accepted.includes(type)) return type ? `The body must be ${expected}, not ${type}.` : `The body must be ${expected}; the request names no content type.`;
  if (req.body === undefined) return `The host read no ${type} body here; send ${expected} the host parses.`;
  return undefined;
}

/** `unreadableBodyProblem` as the 415 the library answers, in the contract's error shape. */
export function assertReadableBody(req: HttpRequest, accepted: readonly string[]): void {
  const problem = unreadableBodyProblem(req, accepted);
  if (problem) throw new UnsupportedMediaTypeException({ statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE, message: problem, error: 'Unsupported Media Type' });
}
