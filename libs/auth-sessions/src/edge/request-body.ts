import { HttpStatus, UnsupportedMediaTypeException } from '@nestjs/common';
import { requestHeader, type HttpRequest } from './http-edge.js';

/** JSON, and the form encoding a plain HTML form posts (logout's `_csrf` field, a no-script client). */
export const JSON_AND_FORM_BODIES: readonly string[] = ['application/json', 'application/x-www-form-urlencoded'];

/** The route checks its body's media type itself and answers in its own protocol's error shape (the SSO receivers). */
export const ANY_BODY = '*';

const METHODS_WITH_BODIES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The request's media type, lower case and without parameters; empty when it names none. */
function mediaTypeOf(req: HttpRequest): string {
  return (requestHeader(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/** The request is a form post (`application/x-www-form-urlencoded`), as a plain HTML form sends. */
export function isFormPost(req: HttpRequest): boolean {
  return mediaTypeOf(req) === 'application/x-www-form-urlencoded';
}

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
  return bodyProblem(req, accepted)?.message;
}

/** Why a body cannot be read; `unparsedType` when it is of a type the route reads that no parser of the host read. */
interface BodyProblem {
  message: string;
  unparsedType?: string;
}

function bodyProblem(req: HttpRequest, accepted: readonly string[]): BodyProblem | undefined {
  if (!METHODS_WITH_BODIES.has((req.method ?? 'GET').toUpperCase())) return undefined;
  const length = requestHeader(req, 'content-length');
  if (requestHeader(req, 'transfer-encoding') === undefined && (length === undefined || Number(length) === 0)) return undefined;
  if (accepted.includes(ANY_BODY)) return undefined;
  const type = mediaTypeOf(req);
  const expected = accepted.join(' or ');
  if (!accepted.includes(type)) {
    return { message: type ? `The body must be ${expected}, not ${type}.` : `The body must be ${expected}; the request names no content type.` };
  }
  if (req.body === undefined)
    return { message: `This server does not read ${type} bodies here (no body parser for it is on); nothing was changed.`, unparsedType: type };
  return undefined;
}

/**
 * `unreadableBodyProblem` as the 415 the library answers, in the contract's error shape.
 * @param onUnparsed told the media type when the fault is the host's (a body of a type the route
 *   reads that no body parser read), which the client's 415 cannot fix
 */
export function assertReadableBody(req: HttpRequest, accepted: readonly string[], onUnparsed?: (type: string) => void): void {
  const problem = bodyProblem(req, accepted);
  if (!problem) return;
  if (problem.unparsedType !== undefined) onUnparsed?.(problem.unparsedType);
  throw new UnsupportedMediaTypeException({ statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE, message: problem.message, error: 'Unsupported Media Type' });
}
