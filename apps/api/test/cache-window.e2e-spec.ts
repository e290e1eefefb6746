import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type ApiProcess, startApi, startApis } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/**
 * The instance cache must never open a revocation window: B serves the session from its cache,
 * A revokes it, and B rejects it for every request sent after A's answer, even when B's pub/sub
 * connection was killed or A cannot reach Redis at all.
 */
describe('session cache and revocation window (two instances, a Redis the test owns)', () => {
  let redis: ThrowawayRedis;
  // A database of this file's own, so its index-scan counters show this file's traffic only.
  const adminUrl = process.env['SIGNOFF_TEST_PG_ADMIN_URL']!;
  const databaseName = `signoff_test_cache_${randomBytes(4).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();

  beforeAll(async () => {
    redis = await startThrowawayRedis();
  });

  afterAll(async () => {
    await redis?.dispose();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  });

  /** Keeps B's cache warm with back-to-back requests until stopped; returns every result with its send time. */
  function hammer(client: BrowserClient) {
    const results: Array<{ sentAt: number; status: number }> = [];
    let isRunning = true;
    const done = (async () => {
      while (isRunning) {
        const sentAt = performance.now();
        const response = await client.request('GET', '/api/auth/me');
        results.push({ sentAt, status: response.status });
      }
    })();
    return {
      results,
      stop: async () => {
        isRunning = false;
        await done;
      },
    };
  }

  async function provePrompt(a: ApiProcess, b: ApiProcess, beforeLogout: () => Promise<void>) {
    const account = await registerAccount(a.url);
    const { browser } = await signIn(a.url, account);
    const onB = new BrowserClient(b.url);
    onB.cookies.set('sid', browser.cookie('sid')!);
    const load = hammer(onB);
    // B must be serving the session from its cache before the logout: wait for answers, not for a time (a busy CI machine is slow).
    const deadline = Date.now() + 15_000;
    while (load.results.filter((result) => result.status === 200).length <= 10 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    await beforeLogout();
    const started = performance.now();
    const logout = await browser.request('POST', '/api/auth/logout');
    const acknowledgedAt = performance.now();
    expect(logout.status).toBe(200);
    await new Promise((done) => setTimeout(done, 300));
    await load.stop();
    const after = load.results.filter((result) => result.sentAt >= acknowledgedAt);
    expect(load.results.filter((result) => result.sentAt < started && result.status === 200).length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(3);
    expect(after.filter((result) => result.status !== 401)).toEqual([]);
    return { logoutMs: acknowledgedAt - started };
  }

  describe('with every instance connected', () => {
    let a: ApiProcess;
    let b: ApiProcess;

    beforeAll(async () => {
      [a, b] = await startApis(2, { redisUrl: redis.url, databaseUrl });
    });

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
    });

    it('should serve most requests without a PostgreSQL lookup', async () => {
      const db = new TestDatabase(databaseUrl);
      const scans = async () => {
        // PostgreSQL publishes a backend's table statistics about a second after its last transaction.
        await new Promise((done) => setTimeout(done, 1500));
        const rows = await db.query<{ n: string }>(`SELECT idx_scan + seq_scan AS n FROM pg_stat_user_tables WHERE relname = 'auth_sessions'`);
        return Number(rows[0].n);
      };
      try {
        const { browser } = await signIn(b.url, await registerAccount(a.url));
        const before = await scans();
        for (let i = 0; i < 200; i++) expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
        const lookups = (await scans()) - before;
        expect(lookups).toBeLessThan(20);
      } finally {
        await db.close();
      }
    });

    it('should reject at once on B, and the logout should not wait for the lease (B acknowledged)', async () => {
      const { logoutMs } = await provePrompt(a, b, async () => undefined);
      expect(logoutMs).toBeLessThan(1500);
    });

    it('should still reject at once on B when every pub/sub connection was just killed', async () => {
      const admin = new Redis(redis.url);
      try {
        await provePrompt(a, b, async () => {
          await admin.client('KILL', 'TYPE', 'pubsub');
        });
      } finally {
        admin.disconnect();
      }
    });
  });

  describe('when only the revoking instance has lost Redis', () => {
    let proxy: TcpProxy;
    let a: ApiProcess;
    let b: ApiProcess;

    beforeAll(async () => {
      proxy = await startTcpProxy(Number(new URL(redis.url).port));
      [a, b] = await Promise.all([startApi({ redisUrl: `redis://127.0.0.1:${proxy.port}`, databaseUrl }), startApi({ redisUrl: redis.url, databaseUrl })]);
    });

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await proxy?.close();
    });

    it('should answer the logout only once B can no longer trust its cached entry, and B should reject the session from then on', async () => {
      const { logoutMs } = await provePrompt(a, b, async () => {
        await proxy.cut();
      });
      // The revoking instance waited out the bounded cache-trust lease (2 s), and no longer.
      expect(logoutMs).toBeGreaterThan(1500);
      expect(logoutMs).toBeLessThan(4000);
      expect((await new BrowserClient(a.url).request('GET', '/api/health')).status).toBe(503);
    });
  });
});
