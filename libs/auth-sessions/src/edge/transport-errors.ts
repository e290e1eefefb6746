import type { ExecutionContext } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { responseBodyOf } from './error-extensions.js';

/**
 * What a WebSocket client receives for a refusal (socket.io event `exception`; a `ws` client
 * `{ event: 'exception', data }`), and what a microservice client's `send()` fails with.
 */
export interface SignoffWsError {
  /** Nest's own marker on every gateway and RPC exception. */
  status: 'error';
  /** The HTTP status the same request would have got. */
  statusCode: number;
  message: string | string[];
  /** The contract's `code`: `session_ended`, `forbidden`, `service_unavailable`, … */
  code?: string;
  /** Why the session ended, for `session_ended` and `session_expired`. */
  reason?: string;
}

type TransportExceptionClass = new (error: string | object) => Error;

/** The transports whose exception filters pass only their own exception class to the client. */
const EXCEPTION_CLASSES = {
  // From the host's own packages, optional peers: a gateway or a microservice cannot exist without
  // them, and a host without either never loads them.
  ws: lazyClass(() => import('@nestjs/websockets').then((websockets) => websockets.WsException)),
  rpc: lazyClass(() => import('@nestjs/microservices').then((microservices) => microservices.RpcException)),
};

function lazyClass(load: () => Promise<unknown>): () => Promise<TransportExceptionClass | undefined> {
  let loaded: Promise<TransportExceptionClass | undefined> | undefined;
  return () => {
    loaded ??= load().then(
      (exceptionClass) => exceptionClass as TransportExceptionClass,
      () => undefined,
    );
    return loaded;
  };
}

/** Whether refusals in this context must be raised as the transport's own exception (see `asTransportException`). */
export function needsTransportException(context: ExecutionContext): boolean {
  const type = context.getType<string>();
  return type === 'ws' || type === 'rpc';
}

/**
 * One of the library's HTTP errors as the exception its transport's filter passes to the client:
 * a `WsException` for gateways, an `RpcException` for microservice handlers. Nest's gateway and RPC
 * filters turn anything else into `"Internal server error"` and log it with its stack, so a client
 * refused by `@Roles()` could not tell that from a crash. The body is the HTTP answer's
 * (`statusCode`, `message`, `code`, `reason`) with Nest's `status: 'error'`. Any other context, and
 * any error that is not an `HttpException`, is returned as it is.
 */
export async function asTransportException<T>(context: ExecutionContext, error: T): Promise<T | Error> {
  const type = context.getType<string>();
  if (!(error instanceof HttpException) || (type !== 'ws' && type !== 'rpc')) return error;
  const TransportException = await EXCEPTION_CLASSES[type]();
  if (!TransportException) return error;
  const body = responseBodyOf(error);
  const message = body['message'];
  const payload: SignoffWsError = {
    status: 'error',
    statusCode: error.getStatus(),
    message: typeof message === 'string' || Array.isArray(message) ? (message as string | string[]) : error.message,
    ...(typeof body['code'] === 'string' ? { code: body['code'] } : {}),
    ...(typeof body['reason'] === 'string' ? { reason: body['reason'] } : {}),
  };
  return new TransportException(payload);
}
