import type { ExecutionContext } from '@nestjs/common';
import { isRequestAuth, type RequestAuth } from '../sessions/request-auth.js';
import type { HttpRequest, HttpResponse } from './http-edge.js';

/** An HTTP request as the guard sees it, with what it attached after authenticating. */
export interface AuthenticatedRequest extends HttpRequest {
  auth?: RequestAuth;
}

/**
 * What a handler is being called for, as far as authentication goes:
 * - `http`: a controller route, or a GraphQL query or mutation carried by an HTTP request (its
 *   context exposes the request: Apollo's `{ req, res }`, Mercurius' `{ req, reply }`);
 * - `socket`: a message on a connection authenticated at its handshake (WebSocket gateways,
 *   GraphQL subscriptions over graphql-ws or Mercurius): the auth travels on the connection, or on
 *   its upgrade request, under `CONNECTION_AUTH`. A subscription whose connection no Signoff hook
 *   authenticated is a `socket` without auth, never an HTTP request (its upgrade is a GET: the CSRF
 *   and Origin rules would not apply);
 * - `unsupported`: a context the library cannot authenticate (microservices/RPC, anything unknown).
 *   The guard refuses these unless the handler is `@Public()`: it never waves a context through.
 */
export type ExecutionTarget =
  | { kind: 'http'; req: AuthenticatedRequest; res: HttpResponse | undefined }
  | { kind: 'socket'; connection: AuthenticatedConnection }
  | { kind: 'unsupported'; type: string };

/**
 * A long-lived connection (a WebSocket client, a socket.io socket, or the upgrade request of a
 * GraphQL subscription connection) that carries the auth checked at its handshake.
 */
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
    return graphqlTarget(context.getArgByIndex<unknown>(2)) ?? { kind: 'unsupported', type };
  }
  if (type === 'ws') {
    const client = context.switchToWs().getClient<unknown>();
    if (isObject(client)) return { kind: 'socket', connection: client };
  }
  return { kind: 'unsupported', type };
}

/**
 * The transport of a GraphQL operation, from what the drivers put in its context:
 * - Apollo over HTTP: `{ req, res }` (Express) or `{ req }` (Fastify);
 * - Mercurius over HTTP: `{ req, reply, app, ... }` (the driver adds `req`);
 * - Apollo subscriptions (graphql-ws through Nest): `{ req: <graphql-ws context> }` whose
 *   `extra` holds `{ socket, request }`, or the host's own context built from it;
 * - Mercurius subscriptions: `{ request, reply: { request }, ... }` with the upgrade request.
 */
function graphqlTarget(graphqlContext: unknown): ExecutionTarget | undefined {
  if (!isObject(graphqlContext)) return undefined;
  const ctx = graphqlContext as Record<string, unknown>;
  const req = objectAt(ctx, 'req');
  const candidates = [
    objectAt(ctx, 'connection'),
    objectAt(objectAt(ctx, 'extra'), 'socket'),
    objectAt(objectAt(ctx, 'extra'), 'request'),
    objectAt(objectAt(req, 'extra'), 'socket'),
    objectAt(objectAt(req, 'extra'), 'request'),
    req,
    objectAt(ctx, 'request'),
    objectAt(objectAt(ctx, 'reply'), 'request'),
  ].filter((candidate): candidate is Record<string | symbol, unknown> => candidate !== undefined);

  const authenticated = candidates.find((candidate) => CONNECTION_AUTH in candidate);
  if (authenticated) return { kind: 'socket', connection: authenticated };
  // A subscription connection that no Signoff hook authenticated: a socket without auth.
  if (candidates.some(isSubscriptionTransport) || isGraphqlWsContext(ctx)) return { kind: 'socket', connection: {} };

  const request = [req, objectAt(ctx, 'request'), objectAt(objectAt(ctx, 'reply'), 'request')].find(hasHeaders);
  if (!request) return undefined;
  // Nest's Apollo driver puts only `req` in its default context; Express links the response from it.
  const res = objectAt(ctx, 'res') ?? objectAt(ctx, 'reply') ?? objectAt(request, 'res');
  return { kind: 'http', req: request as unknown as AuthenticatedRequest, res: res as HttpResponse | undefined };
}

/** A graphql-ws server context (`{ connectionParams, extra: { socket, request } }`). */
function isGraphqlWsContext(value: Record<string, unknown> | undefined): boolean {
  return value !== undefined && isObject(value['extra']) && 'connectionParams' in value;
}

/** A WebSocket upgrade request, or a graphql-ws context: never an ordinary HTTP request. */
function isSubscriptionTransport(value: Record<string | symbol, unknown>): boolean {
  if (isGraphqlWsContext(value)) return true;
  if (!hasHeaders(value)) return false;
  const upgrade = (value['headers'] as Record<string, unknown>)['upgrade'];
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket';
}

function hasHeaders(value: Record<string | symbol, unknown> | undefined): boolean {
  return value !== undefined && isObject(value['headers']);
}

function objectAt(value: Record<string | symbol, unknown> | undefined, key: string): Record<string | symbol, unknown> | undefined {
  const found = value?.[key];
  return isObject(found) ? (found as Record<string | symbol, unknown>) : undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * The auth `SessionGuard` attached to a request: `req.auth` when the library set it, never a value
 * something else put under that name (express-jwt does; a host may bind `RolesGuard` or read
 * `@CurrentUser()` on a route where `SessionGuard` did not run).
 */
export function requestAuthOf(req: AuthenticatedRequest): RequestAuth | undefined {
  const auth = req.auth;
  return isRequestAuth(auth) ? auth : undefined;
}

/** The auth the guard attached for this context, if any. */
export function authOf(context: ExecutionContext): RequestAuth | undefined {
  const target = executionTargetOf(context);
  if (target.kind === 'http') return requestAuthOf(target.req);
  if (target.kind === 'socket') return target.connection[CONNECTION_AUTH];
  return undefined;
}

/** Replaces the auth attached for this context (a guard that re-read the user from the host). */
export function replaceAuth(context: ExecutionContext, auth: RequestAuth): void {
  const target = executionTargetOf(context);
  if (target.kind === 'http') target.req.auth = auth;
  else if (target.kind === 'socket' && CONNECTION_AUTH in target.connection) target.connection[CONNECTION_AUTH] = auth;
}
