import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, type ApiResponseOptions, getSchemaPath } from '@nestjs/swagger';
import { ErrorResponseDto } from './dto/api.responses.js';

/** The statuses the library's operations answer besides success, each with the contract's error body. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 414 | 415 | 429 | 503;

const DEFAULT_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Bad input: a malformed, mistyped (null included), out-of-range or unknown field or parameter, invalid text (NUL, control characters, lone surrogates, invalid UTF-8), a body nested too deeply, malformed JSON, or more session cookies than the library looks at. Nothing was changed.',
  401: 'No valid session or access token; `code` says why (session_ended with `reason`, session_expired, token_expired, unauthenticated).',
  403: 'Refused; `code` says why (csrf_token_invalid, origin_not_allowed, reauth_required, invalid_password, forbidden). Nothing was changed.',
  404: 'Not found.',
  405: 'Method not allowed; the `Allow` header lists the methods the path answers.',
  409: 'Conflict.',
  413: 'The body is larger than the host accepts. Nothing was changed.',
  414: "A path parameter is longer than the host's router accepts (Fastify: 100 characters). Nothing was changed.",
  415: "The body has a content type the route does not read (JSON; logout also form posts), one the host's parsers left unread, or a charset they cannot decode. Nothing was changed.",
  429: 'Too many requests from this client; retry after `Retry-After` seconds. Nothing was changed.',
  503: 'PostgreSQL or Redis cannot be reached; nothing was checked or changed (`code` service_unavailable). Retry shortly.',
};

/**
 * Documents error statuses with the contract's error body (`ErrorResponseDto`). Each entry is a
 * status (default description) or `[status, description]`.
 */
export function ApiErrors(...statuses: Array<ErrorStatus | [ErrorStatus, string]>): MethodDecorator & ClassDecorator {
  // Errors are JSON whatever the operation produces on success (event streams, CSV exports).
  const content = { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } };
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...statuses.map((entry) => {
      const [status, description] = Array.isArray(entry) ? entry : [entry, DEFAULT_DESCRIPTIONS[entry]];
      const options: ApiResponseOptions = { status, description, content };
      if (status === 429) options.headers = { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } };
      if (status === 405) options.headers = { Allow: { description: 'The methods this path answers.', schema: { type: 'string' } } };
      return ApiResponse(options);
    }),
  );
}

/** The errors every operation with a JSON body can answer: bad input, too large, unreadable. */
export const BODY_ERRORS = [400, 413, 415] as const satisfies readonly ErrorStatus[];
