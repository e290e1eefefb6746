import type { ExecutionContext } from '@nestjs/common';
import type { RequestAuth } from '../sessions/request-auth.js';
import type { HttpRequest, HttpResponse } from './http-edge.js';

/** An HTTP request as the guard sees it, with what it attached after authenticating. */
export interface AuthenticatedRequest extends HttpRequest {
  auth?: RequestAuth;
}

/**
 * What a handler is being called for, as far as authentication goes:
 * - `http`: a controller route, or a GraphQL operation carried by an HTTP request (its context
 *   exposes the request: Apollo's `{ req, res }`, Mercurius' `{ reply }`);
 * - `socket`: a message on a connection authenticated at its handshake (WebSocket gateways,
 *   GraphQL subscriptions): the auth travels on the connection;
 * - `unsupported`: a context the library cannot authenticate (microservices/RPC, anything unknown).
 *   The guard refuses these unless the handler is `@Public()`: it never waves a context through.
 */
export type ExecutionTarget =
  | { kind: 'http'; req: AuthenticatedRequest; res: HttpResponse | undefined }
  | { kind: 'socket'; connection: AuthenticatedConnection }
  | { kind: 'unsupported'; type: string };

/** A long-lived connection (a WebSocket client) that carries the auth checked at its handshake. */
export interface AuthenticatedConnection {
  [CONNECTION_AUTH]?: RequestAuth;
}

/** Where the auth of a connection is kept: a symbol, so no client payload can forge it. */
export const CONNECTION_AUTH: unique symbol = Symbol.for('signoff.connection-auth');

/** Finds the request (or connection) behind any execution context. */
export function executionTargetOf(context: ExecutionContext): ExecutionTarget {
  const type = context.getType<string>();
  if (type === 'http') {
    const http = context.switchToHttp();
    return { kind: 'http', req: http.getRequest<AuthenticatedRequest>(), res: http.getResponse<HttpResponse>() };
  }
  if (type === 'graphql') {
    // Resolver arguments are (root, args, context, info); the GraphQL context holds the transport.
    const graphqlContext = context.getArgByIndex<Record<string, unknown> | undefined>(2);
    const connection = graphqlContext?.['connection'] as AuthenticatedConnection | undefined;
    if (connection && typeof connection === 'object' && CONNECTION_AUTH in connection) return { kind: 'socket', connection };
    const reply = graphqlContext?.['reply'] as { request?: AuthenticatedRequest } | undefined;
    const req = (graphqlContext?.['req'] ?? graphqlContext?.['request'] ?? reply?.request) as AuthenticatedRequest | undefined;
    if (req && typeof req === 'object' && typeof req.headers === 'object' && req.headers !== null) {
      return { kind: 'http', req, res: (graphqlContext?.['res'] ?? reply) as HttpResponse | undefined };
    }
    return { kind: 'unsupported', type };
  }
  if (type === 'ws') {
    const client = context.switchToWs().getClient<AuthenticatedConnection | undefined>();
    if (client && typeof client === 'object') return { kind: 'socket', connection: client };
  }
  return { kind: 'unsupported', type };
}

/** The auth the guard attached for this context, if any. */
export function authOf(context: ExecutionContext): RequestAuth | undefined {
  const target = executionTargetOf(context);
  if (target.kind === 'http') return target.req.auth;
  if (target.kind === 'socket') return target.connection[CONNECTION_AUTH];
  return undefined;
}

/** Replaces the auth attached for this context (a guard that re-read the user from the host). */
export function replaceAuth(context: ExecutionContext, auth: RequestAuth): void {
  const target = executionTargetOf(context);
  if (target.kind === 'http') target.req.auth = auth;
  else if (target.kind === 'socket') target.connection[CONNECTION_AUTH] = auth;
}
