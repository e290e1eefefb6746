import { setTimeout as delay } from 'node:timers/promises';
import { type ApiProcess, startApis } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { registerAccount, signIn } from './support/accounts.js';
import { metricValue } from './support/admin.js';

// CACHE_TRUST_MS and REGISTRY_WINDOW_MS in libs/auth-sessions/src/sessions/session-bus.ts.
const LEASE_MS = 2000;
const REGISTRY_WINDOW_MS = 3000;

/**
 * Acknowledgements with more than two instances: every other live instance must acknowledge a
 * logout (each removes itself from the change's pending set; the last one tells the revoking
 * instance) before it is answered, and an instance that died without a word costs one lease at
 * most, until it drops out of the registry.
 */
describe('revocation acknowledgements across three instances (a Redis the test owns)', () => {
  let redis: ThrowawayRedis;
  let instances: ApiProcess[];

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    instances = await startApis(3, { redisUrl: redis.url });
  });

  afterAll(async () => {
    await Promise.all(instances?.map((instance) => instance.stop()) ?? []);
    await redis?.dispose();
  });

  /** Signs in on the first instance and has every given instance serve the session (cached). */
  async function sessionCachedOn(on: ApiProcess[]) {
    const { browser } = await signIn(on[0].url, await registerAccount(on[0].url, 'acks'));
    const clients = on.map((instance) => {
      const client = new BrowserClient(instance.url);
      client.cookies.set('sid', browser.cookie('sid')!);
      return client;
    });
    for (let pass = 0; pass < 3; pass++) {
      for (const client of clients) expect((await client.request('GET', '/api/auth/me')).status).toBe(200);
    }
    return { browser, clients };
  }

  async function leaseWaits(instance: ApiProcess): Promise<number> {
    const response = await fetch(`${instance.url}/metrics`);
    return metricValue(await response.text(), 'signoff_revocation_lease_waits_total') ?? Number.NaN;
  }

  async function timedLogout(browser: BrowserClient): Promise<number> {
    const started = performance.now();
    expect((await browser.request('POST', '/api/auth/logout')).status).toBe(200);
    return performance.now() - started;
  }

  it('should answer once both other instances acknowledged, well before the lease, and every instance should reject at once', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const { browser, clients } = await sessionCachedOn(instances);
      const logoutMs = await timedLogout(browser);

      expect(logoutMs).toBeLessThan(LEASE_MS * 0.75);
      for (const client of clients) {
        const rejected = await client.request('GET', '/api/auth/me');
        expect(rejected.status).toBe(401);
        expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'logout' });
      }
    }
  });

  it('should wait out the lease (and no longer) for an instance that died unannounced, then stop waiting once it left the registry', async () => {
    const [a, b, c] = instances as [ApiProcess, ApiProcess, ApiProcess];
    const { browser, clients } = await sessionCachedOn([a, b]);
    c.kill();

    const waitsBefore = await leaseWaits(a);
    const slowMs = await timedLogout(browser);
    expect(slowMs).toBeGreaterThan(LEASE_MS * 0.75);
    expect(slowMs).toBeLessThan(LEASE_MS * 2);
    for (const client of clients) expect((await client.request('GET', '/api/auth/me')).status).toBe(401);
    // The revoking instance counts the wait and names the instance that kept it waiting (the dead one), once.
    expect(await leaseWaits(a)).toBe(waitsBefore + 1);
    const warnings = a
      .logs()
      .split('\n')
      .filter((line) => line.includes('"revocation_lease_wait"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`pid ${c.pid} \\(bus protocol 2, started [^)]*, instance [0-9a-f-]{36}\\)`));
    expect(b.logs()).not.toContain('"revocation_lease_wait"');

    await delay(REGISTRY_WINDOW_MS + 500);
    const next = await sessionCachedOn([a, b]);
    expect(await timedLogout(next.browser)).toBeLessThan(LEASE_MS * 0.75);
    for (const client of next.clients) expect((await client.request('GET', '/api/auth/me')).status).toBe(401);
  });
});
