import { Injectable } from '@nestjs/common';
import { ConnectionSessions } from '../edge/connection-sessions.js';
import { EventStreamsService } from './event-streams.service.js';

/**
 * This instance's long-lived connections as one: the event streams (`GET /auth/events`) and the
 * authenticated WebSocket, socket.io and GraphQL subscription connections.
 */
@Injectable()
export class LongLivedConnections {
  constructor(
    private readonly streams: EventStreamsService,
    private readonly connections: ConnectionSessions,
  ) {}

  /**
   * Tells every one of them to reconnect to another instance (an event stream's `reconnect` event,
   * close `1001 server_shutdown`, socket.io's `reconnect` event), ends them, and waits at most a
   * second for their closing handshakes. Nest does the same in `beforeApplicationShutdown`; call this
   * from anything that closes the HTTP server before that, as `apolloShutdownPlugin` does.
   */
  async closeForShutdown(): Promise<void> {
    this.streams.beforeApplicationShutdown();
    await this.connections.beforeApplicationShutdown();
  }
}

/** What `apolloShutdownPlugin` returns: an Apollo Server plugin (`ApolloServerPlugin`) with a `drainServer` step. */
export interface ApolloShutdownPlugin {
  serverWillStart(): Promise<{ drainServer(): Promise<void> }>;
}

/**
 * An Apollo Server plugin for Apollo on Express. `@nestjs/apollo` adds Apollo's drain plugin, which
 * closes the HTTP server in `GraphQLModule.onModuleDestroy`, the first step of Nest's shutdown and
 * before the library's own hook: Node then cuts every WebSocket on that server, and waits up to 10 s
 * for open event streams. This plugin's `drainServer` runs first (Apollo runs the host's plugins
 * before the one `@nestjs/apollo` appends) and closes them the contract's way.
 *
 * ```ts
 * GraphQLModule.forRootAsync<ApolloDriverConfig>({
 *   driver: ApolloDriver, imports: [auth], inject: [ConnectionSessions, LongLivedConnections],
 *   useFactory: (connections: ConnectionSessions, longLived: LongLivedConnections) => ({
 *     autoSchemaFile: true,
 *     plugins: [apolloShutdownPlugin(longLived)],
 *     subscriptions: { 'graphql-ws': graphqlWsSubscriptionHooks(connections) },
 *   }),
 * })
 * ```
 */
export function apolloShutdownPlugin(connections: LongLivedConnections): ApolloShutdownPlugin {
  return {
    serverWillStart: async () => ({ drainServer: () => connections.closeForShutdown() }),
  };
}
