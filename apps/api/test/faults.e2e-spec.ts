import { setTimeout as delay } from 'node:timers/promises';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { startThrowawayPostgres } from '../../../test-support/throwaway-postgres.js';
import { startThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { registerAccount, signIn } from './support/accounts.js';
import { metricValue } from './support/admin.js';

const LEAKS = /\bat \S+:\d+|SELECT|ECONNREFUSED|QueryFailedError|eyJ|Error:/;

describe('faults', () => {
  describe('PostgreSQL stopped', () => {
    let postgres: Awaited<ReturnType<typeof startThrowawayPostgres>>;
    let api: ApiProcess;

    beforeAll(async () => {
      postgres = await startThrowawayPostgres();
      api = await startApi({ databaseUrl: postgres.url, env: { METRICS_TOKEN: 'faults-postgres-metrics' } });
    });

    afterAll(async () => {
      await api?.stop();
      await postgres?.dispose();
    });

    it('should answer 503 (never 200) and clear no cookie while it is down, and recover without a restart', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);

      await postgres.stop();
      // The instance may serve a cached session until its PostgreSQL probe fails (the cache's lease, 2 s at most);
      // nothing can be revoked meanwhile, as a revocation must commit. From then on: 503, never 200.
      const stoppedAt = Date.now();
      while ((await browser.request('GET', '/api/auth/me')).status === 200 && Date.now() - stoppedAt < 5000) await delay(100);
      expect(Date.now() - stoppedAt).toBeLessThan(5000);
      for (const path of ['/api/auth/me', '/api/auth/sessions']) {
        const response = await browser.request('GET', path);
        expect(response.status).toBe(503);
        expect(JSON.stringify(response.body)).not.toMatch(LEAKS);
      }
      const logout = await browser.request('POST', '/api/auth/logout');
      expect(logout.status).toBe(503);
      expect(logout.setCookies).toEqual([]);
      expect(logout.headers.get('clear-site-data')).toBeNull();
      const login = await new BrowserClient(api.url).request('POST', '/api/auth/login', { json: { email: account.email, password: account.password } });
      expect(login.status).toBe(503);
      // The demo's own register route answers like the library's routes: 503, not a 500.
      const register = await new BrowserClient(api.url).request('POST', '/api/auth/register', {
        json: { email: `faults-${Date.now()}@example.com`, password: account.password },
      });
      expect(register.status).toBe(503);
      expect(register.body).toMatchObject({ code: 'service_unavailable' });
      expect(JSON.stringify(register.body)).not.toMatch(LEAKS);
      expect((await browser.request('GET', '/api/health')).status).toBe(503);
      // The scrape that could not read the count says so itself, not the next one.
      const scrape = await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer faults-postgres-metrics' } });
      expect(scrape.status).toBe(200);
      expect(metricValue(await scrape.text(), 'signoff_metrics_scrape_errors_total', '{source="active_sessions"}')).toBe(1);

      // Long enough for the background work to fail a few times (a sealing run a second; the pool waits up to 3 s).
      await delay(4000);
      await postgres.start();
      let me = await browser.request('GET', '/api/auth/me');
      for (let attempt = 0; attempt < 30 && me.status !== 200; attempt++) {
        await new Promise((done) => setTimeout(done, 200));
        me = await browser.request('GET', '/api/auth/me');
      }
      expect(me.status).toBe(200);
      expect((await browser.request('POST', '/api/auth/logout')).status).toBe(200);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(401);

      // The background work (a sealing run a second, the outbox relay) said so once, not at every
      // run: no failed job and no relay line per second of the outage. (Its "back" line is at info
      // level, below this app's LOG_LEVEL.)
      const logs = api.logs();
      expect(logs.match(/"event":"postgres_unreachable"/g)).toHaveLength(1);
      expect(logs).not.toMatch(/Job (seal-audit-events|expire-sessions) .* failed on attempt/);
      expect(logs).not.toContain('Outbox relay failed');
    });
  });

  describe('Redis stopped', () => {
    const METRICS = 'faults-metrics-token';
    // This instance's cache as /metrics reports it (the scrape waits out its 2 s budget for the job counts while Redis is down).
    const cacheMetrics = async () => {
      const text = (await new BrowserClient(api.url).get('/metrics', { bearer: METRICS })).body as string;
      return { trusted: metricValue(text, 'signoff_session_cache_trusted'), entries: metricValue(text, 'signoff_session_cache_entries') };
    };
    const waitForTrust = async (trusted: number) => {
      const started = Date.now();
      while ((await cacheMetrics()).trusted !== trusted && Date.now() - started < 10_000) await delay(200);
      return (await cacheMetrics()).trusted;
    };
    let redis: Awaited<ReturnType<typeof startThrowawayRedis>>;
    let api: ApiProcess;

    beforeAll(async () => {
      redis = await startThrowawayRedis();
      api = await startApi({ redisUrl: redis.url, env: { AUTH_RATE_LIMIT: '3', METRICS_TOKEN: METRICS } });
    });

    afterAll(async () => {
      await api?.stop();
      await redis?.dispose();
    });

    it('should keep checking sessions against PostgreSQL, let logout work, report 503 health and keep a per-instance rate limit', async () => {
      const account = await registerAccount(api.url);
      const first = await signIn(api.url, account);
      const second = await signIn(api.url, account);
      expect(await waitForTrust(1)).toBe(1);
      expect((await first.browser.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await cacheMetrics()).entries).toBeGreaterThanOrEqual(1);
      await redis.stop();
      // Without the bus no instance may trust what it cached: every session is read from PostgreSQL, and /metrics says so.
      expect(await waitForTrust(0)).toBe(0);

      expect((await first.browser.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await first.browser.request('POST', '/api/auth/logout')).status).toBe(200);
      expect((await first.browser.request('GET', '/api/auth/me')).status).toBe(401);
      expect((await second.browser.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await second.browser.request('GET', '/api/health')).status).toBe(503);

      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const response = await new BrowserClient(api.url).request('POST', '/api/auth/login', { json: { email: account.email, password: 'wrong' } });
        statuses.push(response.status);
      }
      expect(statuses).not.toContain(500);
      expect(statuses).toContain(429);

      await redis.start();
      let health = await second.browser.request('GET', '/api/health');
      for (let attempt = 0; attempt < 30 && health.status !== 200; attempt++) {
        await new Promise((done) => setTimeout(done, 200));
        health = await second.browser.request('GET', '/api/health');
      }
      expect(health.status).toBe(200);
      expect(await waitForTrust(1)).toBe(1);
    });
  });
});
