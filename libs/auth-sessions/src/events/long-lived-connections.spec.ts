import { jest } from '@jest/globals';
import type { ConnectionSessions } from '../edge/connection-sessions.js';
import type { EventStreamsService } from './event-streams.service.js';
import { apolloShutdownPlugin, LongLivedConnections } from './long-lived-connections.js';

describe('LongLivedConnections', () => {
  function create() {
    const order: string[] = [];
    const streams = { beforeApplicationShutdown: jest.fn(() => void order.push('streams')) };
    let release: () => void = () => undefined;
    const connections = {
      beforeApplicationShutdown: jest.fn(() => {
        order.push('connections');
        return new Promise<void>((resolve) => (release = resolve));
      }),
    };
    const longLived = new LongLivedConnections(streams as unknown as EventStreamsService, connections as unknown as ConnectionSessions);
    return { longLived, order, release: () => release() };
  }

  it('should end the event streams and close the connections at once, then wait for the closing handshakes', async () => {
    const { longLived, order, release } = create();
    let settled = false;
    const closing = longLived.closeForShutdown().then(() => void (settled = true));
    // Both started before anything was awaited: Apollo's drain step starts right after this one.
    expect(order).toEqual(['streams', 'connections']);
    await Promise.resolve();
    expect(settled).toBe(false);
    release();
    await closing;
    expect(settled).toBe(true);
  });

  it('should be an Apollo plugin whose drain step closes them (the step Apollo runs before it closes the HTTP server)', async () => {
    const { longLived, order, release } = create();
    const listener = await apolloShutdownPlugin(longLived).serverWillStart();
    const draining = listener.drainServer();
    expect(order).toEqual(['streams', 'connections']);
    release();
    await draining;
  });
});
