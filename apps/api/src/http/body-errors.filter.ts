import { type ArgumentsHost, Catch, HttpException, type HttpServer, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { INVALID_JSON_MESSAGE, INVALID_UTF8_MESSAGE, INVALID_UTF8_TYPE, UNSUPPORTED_BODY_MESSAGE, UNSUPPORTED_BODY_TYPE } from './request-bodies.js';

/** Where OpenID Connect back-channel logout is served (`sso.md`): it answers failures in its own shape. */
export const BACKCHANNEL_LOGOUT_PATH = '/api/auth/oidc/backchannel-logout';

/** Where Shared Signals pushes are received (`sso.md`): RFC 8935's error shape, `{err, description}`. */
export const SHARED_SIGNALS_PATH = '/api/auth/oidc/ssf';

/**
 * Answers Express's body-parser failures (which Nest turns into an HttpException whose `cause` is
 * the parser's error, with a `type`), and the demo's Fastify parsers' (`badBody`), without echoing the body: body-parser's JSON message quotes
 * the start of the body, `Unexpected token 'Y', "YuIiNeQs5u123" is not valid JSON`, which can be a
 * token (no token values in bodies). With single sign-on on, the two routes a provider posts to get
 * their specifications' error shapes for a body they cannot read, as the provider expects:
 * back-channel logout 400 `{error, error_description}` (OpenID Connect Back-Channel Logout 1.0 §2.8),
 * Shared Signals push 400 `{err, description}` (RFC 8935 §2.3; a SET is never JSON, so a body one of
 * the parsers refused is not a SET). A body that is too large keeps its 413. Every other exception
 * passes through unchanged.
 */
@Catch(HttpException)
export class BodyErrorsFilter extends BaseExceptionFilter {
  constructor(
    private readonly adapter: HttpServer,
    private readonly options: { sso: boolean },
  ) {
    super(adapter);
  }

  override catch(exception: HttpException, host: ArgumentsHost): void {
    const type = failureType(exception.cause);
    if (host.getType() !== 'http' || typeof type !== 'string') return super.catch(exception, host);
    const http = host.switchToHttp();
    const req: unknown = http.getRequest();
    const res: unknown = http.getResponse();
    const status: number = exception.getStatus();
    const path = String(this.adapter.getRequestUrl?.(req) ?? '').split('?')[0];
    // 413 (Payload Too Large) stays as it is: a body too large to read is a transport limit, documented as such.
    if (this.options.sso && path === BACKCHANNEL_LOGOUT_PATH && status !== 413) {
      this.adapter.setHeader(res, 'Cache-Control', 'no-store');
      const description =
        type === INVALID_UTF8_TYPE ? 'the body is not valid UTF-8' : 'the body is not a readable application/x-www-form-urlencoded body in UTF-8';
      this.adapter.reply(res, { error: 'invalid_request', error_description: description }, HttpStatus.BAD_REQUEST);
      return;
    }
    // A body of a type no parser reads is no SET either: RFC 8935 answers every refusal with 400 {err, description}.
    if (this.options.sso && path === SHARED_SIGNALS_PATH && status !== 413) {
      this.adapter.reply(res, { err: 'invalid_request', description: 'the body must be one SET of type application/secevent+jwt' }, HttpStatus.BAD_REQUEST);
      return;
    }
    if (type === 'entity.parse.failed') return this.badRequest(res, INVALID_JSON_MESSAGE);
    if (type === INVALID_UTF8_TYPE) return this.badRequest(res, INVALID_UTF8_MESSAGE);
    if (type === UNSUPPORTED_BODY_TYPE) {
      const body = { statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE, message: UNSUPPORTED_BODY_MESSAGE, error: 'Unsupported Media Type' };
      this.adapter.reply(res, body, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
      return;
    }
    return super.catch(exception, host);
  }

  private badRequest(res: unknown, message: string): void {
    this.adapter.reply(res, { statusCode: HttpStatus.BAD_REQUEST, message, error: 'Bad Request' }, HttpStatus.BAD_REQUEST);
  }
}

/**
 * What kind of body failure an exception's cause is: body-parser's `type` (Express, and the demo's own
 * errors), or Fastify's refusal of a media type it has no parser for, which Nest's adapter wraps as a
 * 415 whose cause is the FastifyError (`FST_ERR_CTP_INVALID_MEDIA_TYPE`), answered as Express's is.
 */
function failureType(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const { type, code } = cause as { type?: unknown; code?: unknown };
  if (typeof type === 'string') return type;
  return code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? UNSUPPORTED_BODY_TYPE : undefined;
}
