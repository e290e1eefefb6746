import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { SignoffUser } from '@signoff/auth-sessions';
import { DataSource } from 'typeorm';
import {
  adminRevoke,
  type Closed,
  connectSocketIo,
  connectWs,
  graphqlRequest,
  logOut,
  openEventStream,
  restWhoami,
  signInApiClient,
  signInBrowser,
} from '../fixtures/transports/clients.js';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { type HttpPlatform, startTransportHost, type TransportHost } from '../fixtures/transports/transport-host.js';

const PASSWORD = 'correct horse battery staple';
// The contract: a connection of a session ended through any instance closes within 2 s while Redis is up.
const CLOSE_BOUND_MS = 2000;
const HEARTBEAT_MS = 1000;

/**
 * WebSocket gateways in a host: a `ws` gateway (the handshake checked in `handleConnection` with
 * `ConnectionSessions.accept`) and a socket.io gateway (checked by `socketIoMiddleware()` before the
 * connection is made), each on Express and on Fastify, each on two instances (two Nest apps in this
 * process on their own ports, one database and Redis prefix: they share only PostgreSQL and Redis).
 */
describe.each([
  ['ws', 'express'],
  ['ws', 'fastify'],
  ['socket.io', 'express'],
  ['socket.io', 'fastify'],
] as const)('a %s gateway behind the global guard, on %s', (gateway, platform: HttpPlatform) => {
  const environment = fixtureEnvironment();
  const redisPrefix = `${environment.redisPrefix}:${gateway}-${platform}`;
  let database: FixtureDatabase;
  let a: TransportHost;
  let b: TransportHost;
  let ada: SignoffUser;
  let grace: SignoffUser;

  /** A gateway client with the same questions on both kinds of socket. */
  interface GatewayClient {
    connected: Promise<void>;
    ended: Promise<Closed>;
    ask(event: string): Promise<{ event: string; data: unknown }>;
    close(): void;
  }

  function connect(host: TransportHost, credentials: Parameters<typeof connectWs>[1] = {}): GatewayClient {
    if (gateway === 'ws') {
      const client = connectWs(host, credentials);
      return { connected: client.opened, ended: client.closed, ask: (event) => client.ask(event), close: () => client.socket.close() };
    }
    const client = connectSocketIo(host, credentials);
    return {
      connected: client.connected,
      // socket.io has no close codes: the library sends `logout` (or, shutting down, `reconnect`) with the reason, then disconnects.
      ended: client.disconnected.then(({ reason, logout, reconnect, at }) => ({
        code: logout ? 4401 : reconnect ? 1001 : 0,
        reason: logout?.reason ?? reconnect?.reason ?? reason,
        at,
      })),
      ask: (event) => client.ask(event),
      close: () => client.socket.close(),
    };
  }

  /** How a refused handshake shows: a close code and reason (ws), or `connect_error` with `data: { code, reason }` (socket.io). */
  async function refusal(client: GatewayClient): Promise<{ code: number; reason: string }> {
    try {
      return await refusalOf(client);
    } finally {
      client.close();
    }
  }

  async function refusalOf(client: GatewayClient): Promise<{ code: number; reason: string }> {
    if (gateway === 'ws') {
      const closed = await client.ended;
      return { code: closed.code, reason: closed.reason };
    }
    const error = (await client.connected.then(
      () => {
        throw new Error('the socket.io handshake was accepted');
      },
      (failure: unknown) => failure,
    )) as Error & { data?: { code: number; reason: string } };
    expect(error.message).toBe(error.data?.reason);
    return { code: error.data!.code, reason: error.data!.reason };
  }

  const hostConfig = () =>
    ({ databaseUrl: database.url, redisUrl: environment.redisUrl, redisPrefix, platform, websockets: gateway, heartbeatMs: HEARTBEAT_MS }) as const;

  beforeAll(async () => {
    database = await createFixtureDatabase(environment);
    const config = hostConfig();
    a = await startTransportHost(config);
    b = await startTransportHost({ ...config, publicOrigin: a.url });
    ada = await a.users.create(`ada-${gateway}-${platform}@example.test`, PASSWORD);
    grace = await a.users.create(`grace-${gateway}-${platform}@example.test`, PASSWORD, ['admin']);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await database?.drop();
    await deleteRedisKeys(environment.redisUrl, `${redisPrefix}:transports`);
  });

  describe('the handshake', () => {
    it('should refuse an anonymous client: 4401 unauthenticated', async () => {
      expect(await refusal(connect(a))).toEqual({ code: 4401, reason: 'unauthenticated' });
    });

    /** The security events (AUD-06) the library logs while `act` runs, as the objects it hands Nest's logger. */
    async function securityEventsDuring(act: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        await act();
        return warn.mock.calls.flatMap(([message], i) =>
          (warn.mock.contexts[i] as { context?: string }).context === 'SignoffSecurity' && typeof message === 'object'
            ? [message as Record<string, unknown>]
            : [],
        );
      } finally {
        warn.mockRestore();
      }
    }

    it('should refuse a session cookie sent from another Origin: 4403 origin_not_allowed, logged as malicious_csrf', async () => {
      const browser = await signInBrowser(a, ada);

      const events = await securityEventsDuring(async () => {
        expect(await refusal(connect(a, { cookie: browser.cookie, origin: 'https://evil.example' }))).toEqual({ code: 4403, reason: 'origin_not_allowed' });
      });
      expect(events).toEqual([
        expect.objectContaining({ event: 'malicious_csrf', code: 'origin_not_allowed', sessionId: browser.sessionId, userId: ada.id, method: 'GET' }),
      ]);
      expect(JSON.stringify(events)).not.toContain(browser.cookie.split(';')[0].slice('sid='.length));
    });

    it('should refuse an ended session with its reason: 4401 logout, logged as session_use_after_revoke', async () => {
      const browser = await signInBrowser(a, ada);
      await logOut(b, browser);

      const events = await securityEventsDuring(async () => {
        expect(await refusal(connect(a, { cookie: browser.cookie, origin: a.url }))).toEqual({ code: 4401, reason: 'logout' });
      });
      expect(events).toEqual([
        expect.objectContaining({ event: 'session_use_after_revoke', code: 'session_ended', reason: 'logout', sessionId: browser.sessionId, userId: ada.id }),
      ]);
    });

    it('should log a forged bearer token at the handshake as authn_token_invalid', async () => {
      const api = await signInApiClient(a, ada.email, PASSWORD);
      const [head, body] = api.bearer.split('.');
      const forged = `${head}.${body}.${'A'.repeat(43)}`;
      const events = await securityEventsDuring(async () => {
        expect(await refusal(connect(a, { bearer: forged }))).toEqual({ code: 4401, reason: 'unauthenticated' });
      });
      expect(events).toEqual([expect.objectContaining({ event: 'authn_token_invalid', code: 'unauthenticated' })]);
      expect(JSON.stringify(events)).not.toContain(forged);
    });

    it('should accept a browser by its cookie (same Origin) and an API client by its bearer; handlers see @CurrentUser() and @CurrentAuth()', async () => {
      const browser = await signInBrowser(a, ada);
      const api = await signInApiClient(a, ada.email, PASSWORD);
      const byCookie = connect(a, { cookie: browser.cookie, origin: a.url });
      const byBearer = connect(b, { bearer: api.bearer });
      try {
        await Promise.all([byCookie.connected, byBearer.connected]);

        expect(await byCookie.ask('whoami')).toEqual({
          event: 'whoami',
          data: { userId: ada.id, email: ada.email, sessionId: browser.sessionId, method: 'cookie' },
        });
        expect(await byBearer.ask('whoami')).toEqual({
          event: 'whoami',
          data: { userId: ada.id, email: ada.email, sessionId: api.sessionId, method: 'bearer' },
        });
      } finally {
        byCookie.close();
        byBearer.close();
      }
    });
  });

  describe('messages (the global guard reaches gateway handlers)', () => {
    it('should enforce @Roles(): a 403 forbidden exception for a user, the answer for an admin', async () => {
      const [user, admin] = await Promise.all([signInBrowser(a, ada), signInBrowser(a, grace)]);
      const userClient = connect(a, { cookie: user.cookie });
      const adminClient = connect(a, { cookie: admin.cookie });
      try {
        await Promise.all([userClient.connected, adminClient.connected]);

        // The HTTP answer's body, as Nest's gateway filter sends a WsException: not "Internal server error".
        expect(await userClient.ask('admin')).toEqual({
          event: 'exception',
          data: { status: 'error', statusCode: 403, message: 'This needs the admin role.', code: 'forbidden' },
        });
        expect(await adminClient.ask('admin')).toEqual({ event: 'admin', data: { admin: grace.email } });
        expect(await userClient.ask('hello')).toEqual({ event: 'hello', data: { to: ada.email } });
      } finally {
        userClient.close();
        adminClient.close();
      }
    });
  });

  describe('a session ended while its socket is open', () => {
    it('should close the socket within 2 s when an admin revokes the session through the other instance: 4401 revoked_by_admin', async () => {
      const [browser, admin] = await Promise.all([signInBrowser(a, ada), signInBrowser(b, grace)]);
      const client = connect(a, { cookie: browser.cookie, origin: a.url });
      await client.connected;
      expect((await client.ask('whoami')).event).toBe('whoami');

      await adminRevoke(b, admin, ada.id, browser.sessionId);
      const revokedAt = Date.now();
      const closed = await closedWithin(client.ended, CLOSE_BOUND_MS + 1000).finally(() => client.close());

      expect(closed).toMatchObject({ code: 4401, reason: 'revoked_by_admin' });
      expect(closed.at - revokedAt).toBeLessThan(CLOSE_BOUND_MS);
      // The REST route and GraphQL answer the same session the same way.
      expect(await restWhoami(a, browser)).toEqual({ status: 401, body: expect.objectContaining({ code: 'session_ended', reason: 'revoked_by_admin' }) });
      const graphql = await graphqlRequest(a, '{ whoami { userId } }', browser);
      expect(graphql.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', authCode: 'session_ended', reason: 'revoked_by_admin' });
    });

    it("should close a bearer client's socket within 2 s when the user logs out everywhere through the other instance: 4401 logout_everywhere", async () => {
      const api = await signInApiClient(a, ada.email, PASSWORD);
      const browser = await signInBrowser(b, ada);
      const client = connect(a, { bearer: api.bearer });
      await client.connected;

      const response = await fetch(`${b.url}/auth/logout-all`, {
        method: 'POST',
        headers: { cookie: browser.cookie, 'x-xsrf-token': browser.xsrf, 'content-type': 'application/json' },
        body: '{}',
      });
      const revokedAt = Date.now();
      expect(response.status).toBe(200);
      const closed = await closedWithin(client.ended, CLOSE_BOUND_MS + 1000).finally(() => client.close());

      expect(closed).toMatchObject({ code: 4401, reason: 'logout_everywhere' });
      expect(closed.at - revokedAt).toBeLessThan(CLOSE_BOUND_MS);
    });

    it('should close it at the next heartbeat when no bus message reaches the instance (the session row ended behind its back)', async () => {
      const browser = await signInBrowser(a, ada);
      const client = connect(a, { cookie: browser.cookie });
      await client.connected;

      // Ends the row directly in PostgreSQL: no instance announces it, only the heartbeat re-check can see it.
      // The cache may trust an entry for up to 2 s (CACHE_TRUST_MS), then the heartbeat reads the row.
      await a.app.get(DataSource).query(`UPDATE auth_sessions SET ended_at = now(), end_reason = 'revoked_by_admin' WHERE id = $1`, [browser.sessionId]);
      const endedAt = Date.now();
      const closed = await closedWithin(client.ended, HEARTBEAT_MS + 2000 + 1500).finally(() => client.close());

      expect(closed).toMatchObject({ code: 4401, reason: 'revoked_by_admin' });
      expect(closed.at - endedAt).toBeLessThan(HEARTBEAT_MS + 2000 + 1000);
    });
  });

  describe('the REST route of the same host', () => {
    it('should answer anonymous 401, valid 200', async () => {
      const browser = await signInBrowser(a, ada);

      expect((await restWhoami(a)).status).toBe(401);
      expect(await restWhoami(b, browser)).toEqual({ status: 200, body: expect.objectContaining({ sessionId: browser.sessionId }) });
    });
  });

  // Nest closes the gateways' servers (dispose(), where the ws adapter terminates every client) before
  // it runs onApplicationShutdown: the library's 1001 came too late, and ws clients saw 1006.
  // On Express the host runs Apollo, whose drain plugin closes the HTTP server in
  // GraphQLModule.onModuleDestroy, the first step of a shutdown: without apolloShutdownPlugin (in the
  // fixture host) Node cut the sockets at once, and the event stream waited out Apollo's 10 s grace
  // with no reconnect event. On Fastify, Mercurius. Last in the block: passport keeps one strategy per name for the whole process,
  // the last app's, so after this host has closed the others' fixture sign-in would reach its closed
  // data source.
  describe('the instance shutting down', () => {
    it('should tell every open socket to reconnect elsewhere: 1001 server_shutdown (socket.io: a reconnect event), cookie and bearer alike', async () => {
      const leaving = await startTransportHost({ ...hostConfig(), publicOrigin: a.url });
      let closed = false;
      try {
        const [browser, api] = await Promise.all([signInBrowser(leaving, ada), signInApiClient(leaving, ada.email, PASSWORD)]);
        const clients = [connect(leaving, { cookie: browser.cookie, origin: a.url }), connect(leaving, { bearer: api.bearer })];
        await Promise.all(clients.map((client) => client.connected));
        // Answered: the handshake check is done and the library tracks both.
        expect(await Promise.all(clients.map(async (client) => (await client.ask('whoami')).event))).toEqual(['whoami', 'whoami']);
        const stream = await openEventStream(leaving, browser);

        const closing = performance.now();
        await leaving.close();
        const closeMs = performance.now() - closing;
        closed = true;
        await stream.ended;
        // The stream was told to reconnect, and nothing waited for it to end by itself.
        expect(stream.text()).toContain('event: reconnect\ndata: {"reason":"server_shutdown"}\n\n');
        expect(closeMs).toBeLessThan(5000);
        const ends = await Promise.all(clients.map((client) => closedWithin(client.ended, 3000).finally(() => client.close())));

        expect(ends.map(({ code, reason }) => ({ code, reason }))).toEqual([
          { code: 1001, reason: 'server_shutdown' },
          { code: 1001, reason: 'server_shutdown' },
        ]);
      } finally {
        if (!closed) await leaving.close();
      }
    });
  });
});

async function closedWithin(closed: Promise<Closed>, timeoutMs: number): Promise<Closed> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still open ${timeoutMs} ms later`)), timeoutMs);
  });
  try {
    return await Promise.race([closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
