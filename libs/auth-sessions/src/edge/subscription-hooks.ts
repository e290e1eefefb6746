import type { ConnectionSessions, HandshakeRequest } from './connection-sessions.js';

/**
 * What the library reads from a graphql-ws server context (`graphql-ws` `Context` with the `ws`
 * integration's `extra`), duck-typed so the library needs no GraphQL package.
 */
export interface GraphqlWsConnectContext {
  connectionParams?: Readonly<Record<string, unknown>> | undefined;
  extra: unknown;
}

/** graphql-ws server hooks: pass them as `subscriptions: { 'graphql-ws': { ...hooks } }` of the Apollo driver. */
export interface GraphqlWsSubscriptionHooks {
  onConnect(context: GraphqlWsConnectContext): Promise<boolean>;
}

/**
 * Authenticates GraphQL subscription connections of the Apollo driver (graphql-ws, the protocol
 * `@nestjs/graphql` serves) at `connection_init`, with the rules of `ConnectionSessions`: the
 * upgrade's `Authorization` header or `connectionParams.authorization` (`Bearer <token>`), else the
 * session cookie with the Origin check. A refused connection is closed with 4401 (4403, 1013) and
 * the reason; an accepted one is closed with 4401 and the end reason when its session ends, on
 * any instance. Subscription resolvers then see the connection's auth in `@CurrentUser()` & co.
 *
 * ```ts
 * GraphQLModule.forRootAsync<ApolloDriverConfig>({
 *   driver: ApolloDriver, imports: [auth], inject: [ConnectionSessions],
 *   useFactory: (connections: ConnectionSessions) => ({
 *     autoSchemaFile: true,
 *     subscriptions: { 'graphql-ws': graphqlWsSubscriptionHooks(connections) },
 *   }),
 * })
 * ```
 */
export function graphqlWsSubscriptionHooks(connections: ConnectionSessions): GraphqlWsSubscriptionHooks {
  return {
    onConnect: async (context) => {
      const extra = context.extra as { socket?: unknown; request?: unknown } | undefined;
      const socket = extra?.socket;
      const request = extra?.request;
      if (!isObject(socket) || !isHandshakeRequest(request)) return false;
      try {
        const auth = await connections.authenticate(request, { payload: context.connectionParams });
        connections.track(socket, auth, { also: [request] });
        return true;
      } catch (error) {
        connections.refuse(socket, error);
        return false;
      }
    },
  };
}

/**
 * What the library reads from the Mercurius subscription connection that calls `onConnect`
 * (Mercurius calls it as a method of its connection: `this.socket`, `this.context.request`).
 */
export interface MercuriusSubscriptionConnection {
  socket?: unknown;
  context?: { request?: unknown };
}

/** Mercurius subscription hooks: pass them as `subscription: { ...hooks }` of the Mercurius driver. */
export interface MercuriusSubscriptionHooks {
  onConnect(this: MercuriusSubscriptionConnection | undefined, data: { payload?: unknown }): Promise<boolean>;
}

/**
 * Authenticates GraphQL subscription connections of the Mercurius driver at `connection_init`, with
 * the same rules and closing as `graphqlWsSubscriptionHooks` (the `connection_init` payload may
 * carry `authorization: 'Bearer <token>'`). Mercurius gives `onConnect` only the payload and calls
 * it on its connection object, whose socket and upgrade request this reads; if a Mercurius version
 * no longer does, every connection is refused (fails closed) rather than accepted unauthenticated.
 *
 * ```ts
 * GraphQLModule.forRootAsync<MercuriusDriverConfig>({
 *   driver: MercuriusDriver, imports: [auth], inject: [ConnectionSessions],
 *   useFactory: (connections: ConnectionSessions) => ({ autoSchemaFile: true, subscription: mercuriusSubscriptionHooks(connections) }),
 * })
 * ```
 */
export function mercuriusSubscriptionHooks(connections: ConnectionSessions): MercuriusSubscriptionHooks {
  return {
    async onConnect(this: MercuriusSubscriptionConnection | undefined, data: { payload?: unknown }): Promise<boolean> {
      const socket = this?.socket;
      const request = this?.context?.request;
      if (!isObject(socket) || !isHandshakeRequest(request)) return false;
      try {
        const auth = await connections.authenticate(request, { payload: data?.payload });
        connections.track(socket, auth, { also: [request] });
        return true;
      } catch (error) {
        connections.refuse(socket, error);
        return false;
      }
    },
  };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isHandshakeRequest(value: unknown): value is HandshakeRequest & object {
  return isObject(value) && isObject((value as { headers?: unknown }).headers);
}
