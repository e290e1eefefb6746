import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, HttpStatus, UnsupportedMediaTypeException } from '@nestjs/common';

/** The message of a JSON body that does not parse: never the parser's own, which quotes the body. */
export const INVALID_JSON_MESSAGE = 'The body is not valid JSON.';

/** The message of a body whose bytes are not UTF-8. */
export const INVALID_UTF8_MESSAGE = 'The body is not valid UTF-8.';

/** body-parser's `type` of the error `refuseInvalidUtf8` throws (its own types are `entity.*`, `charset.*`). */
export const INVALID_UTF8_TYPE = 'entity.utf8.invalid';

/** The message of a body of a media type no parser reads, on either platform. */
export const UNSUPPORTED_BODY_MESSAGE = 'The body must be application/json or application/x-www-form-urlencoded; nothing was changed.';

/** The `type` the 415 of `refuseUnreadableBodies` carries, like body-parser's own errors, for `BodyErrorsFilter`. */
export const UNSUPPORTED_BODY_TYPE = 'entity.media_type.unsupported';

/**
 * body-parser's `verify` hook for the JSON and form parsers: refuses a UTF-8 body whose bytes are
 * not UTF-8 with 400. Decoding would turn every invalid sequence into U+FFFD without an error, so
 * `Password-aa-\xff\xff` and `Password-aa-\xc0\x80` would arrive as one password. Bodies in another
 * charset are left to the parser (which refuses what it cannot decode with 415).
 */
export function refuseInvalidUtf8(_req: IncomingMessage, _res: ServerResponse, body: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(body)) {
    // A `status` makes body-parser keep 400 (it answers a failed verify with 403 otherwise).
    throw Object.assign(new Error(INVALID_UTF8_MESSAGE), { status: HttpStatus.BAD_REQUEST, type: INVALID_UTF8_TYPE });
  }
}

/** The same rule for a Fastify body parser, which reads bodies as a Buffer: the error to answer with, or null when the bytes are UTF-8. */
export function invalidUtf8Error(body: Buffer): BadRequestException | null {
  return isUtf8(body) ? null : badBody(INVALID_UTF8_MESSAGE, INVALID_UTF8_TYPE);
}

/**
 * A 400 in the shape of Nest's own, for a body a Fastify parser could not read. Its `cause` carries
 * body-parser's `type` for the failure, as Express's do, so `BodyErrorsFilter` answers both alike.
 */
export function badBody(message: string, type: string): BadRequestException {
  return new BadRequestException({ statusCode: HttpStatus.BAD_REQUEST, message, error: 'Bad Request' }, { cause: { type } });
}

/**
 * The media types a body may have in the demo: what its parsers read (JSON, forms) and the Shared
 * Signals push route reads itself (`application/secevent+jwt`, RFC 8935).
 */
export const ACCEPTED_MEDIA_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/x-www-form-urlencoded', 'application/secevent+jwt']);

/**
 * Express middleware, before the parsers: a request that carries a body (`Content-Length` above 0,
 * or any `Transfer-Encoding`) of another media type, or of none, is refused with 415. Express's
 * parsers skip such a body silently and the route runs as if none was sent: `{"keepCurrent":true}`
 * as text/plain made logout-all end the caller's own session too. Fastify refuses these itself.
 */
export function refuseUnreadableBodies(req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => void): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
  const mediaType = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (!hasBody || (mediaType !== undefined && ACCEPTED_MEDIA_TYPES.has(mediaType))) return next();
  next(new UnsupportedMediaTypeException(UNSUPPORTED_BODY_MESSAGE, { cause: { type: UNSUPPORTED_BODY_TYPE } }));
}
