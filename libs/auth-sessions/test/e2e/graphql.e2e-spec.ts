import type { SignoffUser } from '@signoff/auth-sessions';
import { adminRevoke, type Closed, graphqlRequest, logOut, restWhoami, signInApiClient, signInBrowser, subscribe } from '../fixtures/transports/clients.js';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { type HttpPlatform, startTransportHost, type TransportHost } from '../fixtures/transports/transport-host.js';

const PASSWORD = 'correct horse battery staple';
// The contract: a connection of a session ended through any instance closes within 2 s while Redis is up.
const CLOSE_BOUND_MS = 2000;
const WHOAMI = '{ whoami { userId email sessionId method } }';
const ADD_NOTE = 'mutation { addNote(text: "hi") { text authorId } }';
const TICKS = 'subscription { ticks { n sessionId } }';

/**
 * GraphQL in a host, on both drivers: Apollo on Express, Mercurius on Fastify. Two instances of the
 * host (two Nest apps in this process, each on its own port, one database and Redis prefix: they
 * share nothing but PostgreSQL and Redis, exactly like two processes; in-process apps keep the
 * fixture compiled by Jest and cost no build step).
 */
describe.each([
  ['express', 'Apollo'],
  ['fastify', 'Mercurius'],
] as const)('GraphQL resolvers and subscriptions behind the global guard, on %s (%s)', (platform: HttpPlatform, _driver: string) => {
  const environment = fixtureEnvironment();
  const redisPrefix = `${environment.redisPrefix}:graphql-${platform}`;
  let database: FixtureDatabase;
  let a: TransportHost;
  let b: TransportHost;
  let ada: SignoffUser;
  let grace: SignoffUser;

  beforeAll(async () => {
    database = await createFixtureDatabase(environment);
    const config = { databaseUrl: database.url, redisUrl: environment.redisUrl, redisPrefix, platform, websockets: 'subscriptions' as const };
    a = await startTransportHost(config);
    b = await startTransportHost({ ...config, publicOrigin: a.url });
    ada = await a.users.create(`ada-${platform}@example.test`, PASSWORD);
    grace = await a.users.create(`grace-${platform}@example.test`, PASSWORD, ['admin']);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await database?.drop();
    await deleteRedisKeys(environment.redisUrl, `${redisPrefix}:transports`);
  });

  describe('a query', () => {
    it('should answer an anonymous caller with UNAUTHENTICATED, the contract code in extensions, and no data', async () => {
      const answer = await graphqlRequest<{ whoami: unknown }>(a, WHOAMI);

      // Both drivers answer a GraphQL error over HTTP 200 (Nest's Apollo driver resets the status it would take from extensions).
      expect(answer.status).toBe(200);
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors[0].message).toBe('Sign in to continue.');
      expect(answer.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, authCode: 'unauthenticated' });
    });

    it('should answer a signed-in browser (cookie and X-XSRF-TOKEN) with @CurrentUser(), @CurrentSession() and @CurrentAuth()', async () => {
      const browser = await signInBrowser(a, ada);

      const answer = await graphqlRequest<{ whoami: unknown }>(a, WHOAMI, browser);

      expect(answer.errors).toEqual([]);
      expect(answer.data).toEqual({ whoami: { userId: ada.id, email: ada.email, sessionId: browser.sessionId, method: 'cookie' } });
      // Like every answer to an authenticated request.
      expect(answer.headers.get('cache-control')).toBe('no-store');
    });

    it('should answer an API client by its bearer token alone', async () => {
      const client = await signInApiClient(a, ada.email, PASSWORD);

      const answer = await graphqlRequest<{ whoami: unknown }>(b, WHOAMI, { bearer: client.bearer });

      expect(answer.data).toEqual({ whoami: { userId: ada.id, email: ada.email, sessionId: client.sessionId, method: 'bearer' } });
    });

    it('should apply the XSRF and Origin rules to a cookie-authenticated GraphQL POST', async () => {
      const browser = await signInBrowser(a, ada);

      const withoutXsrf = await graphqlRequest(a, WHOAMI, { cookie: browser.cookie });
      const foreignOrigin = await graphqlRequest(a, WHOAMI, { ...browser, origin: 'https://evil.example' });

      expect(withoutXsrf.data ?? null).toBeNull();
      expect(withoutXsrf.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', status: 403, authCode: 'csrf_token_invalid' });
      expect(foreignOrigin.data ?? null).toBeNull();
      expect(foreignOrigin.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', status: 403, authCode: 'origin_not_allowed' });
    });

    it('should let anyone reach a @Public() resolver, and still resolve a valid session there', async () => {
      const browser = await signInBrowser(a, ada);

      const anonymous = await graphqlRequest<{ hello: string }>(a, '{ hello }');
      const signedIn = await graphqlRequest<{ hello: string }>(a, '{ hello }', browser);

      expect(anonymous.data).toEqual({ hello: 'hello anonymous' });
      expect(signedIn.data).toEqual({ hello: `hello ${ada.email}` });
    });

    it('should enforce @Roles() in a resolver: FORBIDDEN for a user, the answer for an admin', async () => {
      const [user, admin] = await Promise.all([signInBrowser(a, ada), signInBrowser(a, grace)]);

      const refused = await graphqlRequest<{ adminSecret: string }>(a, '{ adminSecret }', user);
      const allowed = await graphqlRequest<{ adminSecret: string }>(a, '{ adminSecret }', admin);

      expect(refused.data ?? null).toBeNull();
      expect(refused.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', status: 403, authCode: 'forbidden' });
      expect(allowed.data).toEqual({ adminSecret: `secret for ${grace.email}` });
    });
  });

  describe('a mutation', () => {
    it('should run for a valid session, and never for an anonymous one', async () => {
      const browser = await signInBrowser(a, ada);

      const done = await graphqlRequest<{ addNote: unknown }>(a, ADD_NOTE, browser);
      const refused = await graphqlRequest<{ addNote: unknown }>(a, ADD_NOTE);

      expect(done.data).toEqual({ addNote: { text: 'hi', authorId: ada.id } });
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', authCode: 'unauthenticated' });
    });
  });

  describe('a session ended through the other instance', () => {
    it('should get UNAUTHENTICATED with session_ended and its reason from a query, a mutation and a REST route, at once', async () => {
      const browser = await signInBrowser(a, ada);
      expect((await graphqlRequest(a, WHOAMI, browser)).errors).toEqual([]);

      await logOut(b, browser);

      const [query, mutation, rest] = await Promise.all([graphqlRequest(a, WHOAMI, browser), graphqlRequest(a, ADD_NOTE, browser), restWhoami(a, browser)]);
      for (const answer of [query, mutation]) {
        expect(answer.data ?? null).toBeNull();
        expect(answer.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, authCode: 'session_ended', reason: 'logout' });
      }
      expect(rest).toEqual({ status: 401, body: expect.objectContaining({ code: 'session_ended', reason: 'logout' }) });
    });
  });

  describe('a subscription over WebSocket', () => {
    it('should refuse an anonymous connection at connection_init: close 4401 unauthenticated', async () => {
      const subscription = subscribe(a, TICKS);

      const closed = await subscription.closed;
      await subscription.dispose();

      expect(closed).toMatchObject({ code: 4401, reason: 'unauthenticated' });
      expect(subscription.results).toEqual([]);
    });

    it('should refuse a session cookie sent from another Origin (cross-site WebSocket hijacking): close 4403', async () => {
      const browser = await signInBrowser(a, ada);
      const subscription = subscribe(a, TICKS, { cookie: browser.cookie, origin: 'https://evil.example' });

      const closed = await subscription.closed;
      await subscription.dispose();

      expect(closed).toMatchObject({ code: 4403, reason: 'origin_not_allowed' });
      expect(subscription.results).toEqual([]);
    });

    it('should authenticate a browser by its cookie and an API client by a bearer in connectionParams', async () => {
      const browser = await signInBrowser(a, ada);
      const client = await signInApiClient(a, ada.email, PASSWORD);
      const byCookie = subscribe<{ ticks: { n: number; sessionId: string } }>(a, TICKS, { cookie: browser.cookie, origin: a.url });
      const byBearer = subscribe<{ ticks: { n: number; sessionId: string } }>(a, TICKS, { connectionParams: { authorization: `Bearer ${client.bearer}` } });

      try {
        expect((await byCookie.received(2))[1]).toEqual({ ticks: { n: 2, sessionId: browser.sessionId } });
        expect((await byBearer.received(2))[1]).toEqual({ ticks: { n: 2, sessionId: client.sessionId } });
      } finally {
        await Promise.all([byCookie.dispose(), byBearer.dispose()]);
      }
    });

    it('should close the subscription of a session an admin revoked through the other instance within 2 s: 4401 revoked_by_admin', async () => {
      const [browser, admin] = await Promise.all([signInBrowser(a, ada), signInBrowser(b, grace)]);
      const subscription = subscribe(a, TICKS, { cookie: browser.cookie });
      await subscription.received(1);

      await adminRevoke(b, admin, ada.id, browser.sessionId);
      const revokedAt = Date.now();
      const closed = await closedWithin(subscription.closed, CLOSE_BOUND_MS + 1000).finally(() => subscription.dispose());

      expect(closed).toMatchObject({ code: 4401, reason: 'revoked_by_admin' });
      expect(closed.at - revokedAt).toBeLessThan(CLOSE_BOUND_MS);
    });

    it('should close the subscription of a bearer session logged out through the other instance within 2 s: 4401 logout', async () => {
      const client = await signInApiClient(a, ada.email, PASSWORD);
      const subscription = subscribe(a, TICKS, { connectionParams: { authorization: `Bearer ${client.bearer}` } });
      await subscription.received(1);

      const revoke = await fetch(`${b.url}/auth/token/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: client.refreshToken }),
      });
      const revokedAt = Date.now();
      expect(revoke.status).toBe(200);
      const closed = await closedWithin(subscription.closed, CLOSE_BOUND_MS + 1000).finally(() => subscription.dispose());

      expect(closed).toMatchObject({ code: 4401, reason: 'logout' });
      expect(closed.at - revokedAt).toBeLessThan(CLOSE_BOUND_MS);
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
