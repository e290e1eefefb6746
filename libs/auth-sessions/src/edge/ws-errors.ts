import { HttpException } from '@nestjs/common';
import { responseBodyOf } from './error-extensions.js';

/** What a WebSocket client receives (socket.io event `exception`; a `ws` client `{ event: 'exception', data }`). */
export interface SignoffWsError {
  /** Nest's own marker on every gateway exception. */
  status: 'error';
  /** The HTTP status the same request would have got. */
  statusCode: number;
  message: string | string[];
  /** The contract's `code`: `session_ended`, `forbidden`, `service_unavailable`, … */
  code?: string;
  /** Why the session ended, for `session_ended` and `session_expired`. */
  reason?: string;
}

type WsExceptionClass = new (error: string | object) => Error;

let wsExceptionClass: Promise<WsExceptionClass | undefined> | undefined;

/**
 * Nest's `WsException`, from the host's own `@nestjs/websockets` (an optional peer: a gateway
 * cannot exist without it, and a host without gateways never loads it).
 */
function loadWsException(): Promise<WsExceptionClass | undefined> {
  wsExceptionClass ??= import('@nestjs/websockets').then(
    (websockets) => websockets.WsException as WsExceptionClass,
    () => undefined,
  );
  return wsExceptionClass;
}

/**
 * One of the library's HTTP errors as a `WsException`, the only error Nest's gateway exception
 * filter passes to the client: anything else reaches it as `"Internal server error"` and is logged
 * with its stack, so a client refused by `@Roles()` could not tell that from a crash. The body is
 * the HTTP answer's (`statusCode`, `message`, `code`, `reason`) with Nest's `status: 'error'`.
 */
export async function asWsException<T>(error: T): Promise<T | Error> {
  if (!(error instanceof HttpException)) return error;
  const WsException = await loadWsException();
  if (!WsException) return error;
  const body = responseBodyOf(error);
  const message = body['message'];
  const payload: SignoffWsError = {
    status: 'error',
    statusCode: error.getStatus(),
    message: typeof message === 'string' || Array.isArray(message) ? (message as string | string[]) : error.message,
    ...(typeof body['code'] === 'string' ? { code: body['code'] } : {}),
    ...(typeof body['reason'] === 'string' ? { reason: body['reason'] } : {}),
  };
  return new WsException(payload);
}
