import { ClientProxyFactory, type ClientProxy, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { FixtureMessagesController } from '../fixtures/transports/fixture.messages.js';
import { type HttpPlatform, startTransportHost, type TransportHost } from '../fixtures/transports/transport-host.js';

/**
 * Microservice handlers in a hybrid host (HTTP and a TCP microservice in one Nest app), behind the
 * library's global guards. A message carries no session the library could check: the guards refuse
 * every handler that is not `@Public()`, and the client must get the contract's answer (401
 * `unauthenticated`), not Nest's "Internal server error" with a stack in the host's log.
 *
 * Nest applies the app's global guards to a hybrid app's microservice only with `inheritAppConfig`;
 * the hosts here connect it with and without. Without it, the handlers answered everyone before
 * `MessageHandlersGuard`.
 */
describe.each([
  ['express', false],
  ['fastify', false],
  ['express', true],
] as const)('microservice handlers in a hybrid app on %s (inheritAppConfig: %s)', (platform: HttpPlatform, inheritAppConfig) => {
  const environment = fixtureEnvironment();
  const redisPrefix = `${environment.redisPrefix}:rpc-${platform}-${inheritAppConfig}`;
  let database: FixtureDatabase;
  let host: TransportHost;
  let client: ClientProxy;
  const errors: unknown[][] = [];

  beforeAll(async () => {
    database = await createFixtureDatabase(environment);
    host = await startTransportHost({
      databaseUrl: database.url,
      redisUrl: environment.redisUrl,
      redisPrefix,
      platform,
      websockets: 'ws',
      microservice: true,
      inheritAppConfig,
    });
    host.app.useLogger({ log: () => undefined, warn: () => undefined, error: (...args: unknown[]) => errors.push(args) });
    client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: host.rpcPort! } });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await host?.close();
    await database?.drop();
    await deleteRedisKeys(environment.redisUrl, `${redisPrefix}:transports`);
  });

  const send = (pattern: string, data: unknown = {}) =>
    firstValueFrom(client.send<unknown>(pattern, data)).then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    );

  it.each([
    ['report', 'a handler that is not @Public()'],
    ['admin', 'a @Public() @Roles() handler (a message has no user to hold the role)'],
  ])('should refuse %s, %s, with the 401 its client receives as is, and log no crash', async (pattern) => {
    errors.length = 0;

    expect(await send(pattern)).toEqual({
      error: { status: 'error', statusCode: 401, message: expect.any(String), code: 'unauthenticated' },
    });
    expect(errors).toEqual([]);
  });

  it('should answer a @Public() handler', async () => {
    expect(await send('hello', 'ada')).toEqual({ answer: { to: 'ada' } });
  });

  it('should deliver an event to a @Public() @EventPattern handler, and refuse one to any other, which Nest logs', async () => {
    errors.length = 0;
    FixtureMessagesController.received.length = 0;
    await firstValueFrom(client.emit('audit-trail', { n: 1 }), { defaultValue: undefined });
    await firstValueFrom(client.emit('cache-flush', { n: 2 }), { defaultValue: undefined });
    for (let waited = 0; FixtureMessagesController.received.length === 0 && waited < 2000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(FixtureMessagesController.received).toEqual([{ event: 'cache-flush', data: { n: 2 } }]);
    // Nest's RPC layer logs the refusal of an event (nobody waits for a reply): the host sees it.
    expect(errors.map((args) => JSON.stringify(args))).toEqual([expect.stringContaining('"code":"unauthenticated"')]);
  });

  it('should keep HTTP as it was in the same app: 401 on a guarded route, 200 on a public one', async () => {
    expect((await fetch(`${host.url}/fixture/whoami`)).status).toBe(401);
    expect((await fetch(`${host.url}/auth/oidc/status`)).status).toBe(200);
  });
});
