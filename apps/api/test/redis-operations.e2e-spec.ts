import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { jobsQueue, waitFor } from './support/jobs.js';

interface LogLine {
  level: number;
  context?: string;
  msg?: string;
  event?: string;
  failedAttempts?: number;
  downMs?: number;
  req?: unknown;
  /** Set on pino-http's access-log line of each request. */
  responseTime?: number;
}

/** Operating on a Redis the test owns: its configuration as health sees it, and its outages as the log tells them. */
describe('a Redis the test owns: eviction policy in health (JOB-05) and quiet JSON logs while it is down', () => {
  let redis: ThrowawayRedis;
  let api: ApiProcess;
  let admin: Redis;

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    api = await startApi({ redisUrl: redis.url, env: { LOG_LEVEL: 'info', AUTH_RATE_LIMIT: '5' } });
    admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
  });

  afterAll(async () => {
    admin?.disconnect();
    await api?.stop();
    await redis?.dispose();
  });

  const health = () => new BrowserClient(api.url).get('/api/health');

  it('should answer health 503 with the reason while Redis may evict queue data, and 200 again with noeviction (JOB-05)', async () => {
    for (const policy of ['allkeys-lru', 'volatile-ttl']) {
      await admin.config('SET', 'maxmemory-policy', policy);
      const response = await health();
      expect(response.status).toBe(503);
      expect(response.body.error.redis).toEqual({
        status: 'down',
        maxmemoryPolicy: policy,
        message: expect.stringContaining(`maxmemory-policy is ${policy}`),
      });
      expect(response.body.error.redis.message).toContain('noeviction');
    }

    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    const withoutAof = await health();
    expect(withoutAof.status).toBe(200);
    // AOF off is visible but not fatal: the 200 carries the warning.
    expect(withoutAof.body.details.redis).toEqual({
      status: 'up',
      maxmemoryPolicy: 'noeviction',
      appendonly: false,
      warnings: [expect.stringContaining('appendonly is off')],
    });

    await admin.config('SET', 'appendonly', 'yes');
    const durable = await health();
    expect(durable.status).toBe(200);
    expect(durable.body.details.redis).toEqual({ status: 'up', maxmemoryPolicy: 'noeviction', appendonly: true });
  });

  it('should log an outage as JSON, once when Redis goes and once when it is back with the failed attempts counted, not once per retry', async () => {
    const account = await registerAccount(api.url, 'quiet');
    const reader = await signIn(api.url, account);
    const changer = await signIn(api.url, account);
    const offset = api.logs().length;
    await redis.stop();
    const stoppedAt = Date.now();

    // Traffic that touches every Redis user while it is away: the guard, health, rate limits, the outbox, a logout.
    let isRunning = true;
    const traffic = (async () => {
      while (isRunning) {
        await reader.browser.get('/api/auth/me');
        await health();
        await new BrowserClient(api.url).post('/api/auth/login', { json: { email: account.email, password: 'wrong password' } });
        await delay(200);
      }
    })();
    expect(
      (await changer.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: 'a quiet but longer passphrase' } })).status,
    ).toBe(200);
    expect((await changer.browser.post('/api/auth/logout')).status).toBe(200);
    await delay(Math.max(0, 6000 - (Date.now() - stoppedAt)));
    await redis.start();
    await waitFor('health to be 200 again', async () => (await health()).status === 200, 20_000, 200);
    // The outbox relay catches up on its next pass; the worker's connections settle.
    await delay(3000);
    isRunning = false;
    await traffic;

    const lines = api
      .logs()
      .slice(offset)
      .split('\n')
      .filter((line) => line.trim() !== '');
    const notJson = lines.filter((line) => !parses(line));
    expect(notJson).toEqual([]);
    const entries = lines.map((line) => JSON.parse(line) as LogLine);
    // Everything but the per-request access log: what the outage itself made the app say (lines
    // logged while serving a request carry its `req` too, so the access log is told by responseTime).
    // The reader's refused requests after the password change are security events (AUD-06), not news of the outage.
    const said = entries.filter((entry) => entry.responseTime === undefined && entry.context !== 'SignoffSecurity');
    const unreachable = said.filter((entry) => entry.event === 'redis_unreachable');
    const back = said.filter((entry) => entry.event === 'redis_back');
    // One pair per Redis user with its own connections: the library and the app (rate limits, health).
    expect(unreachable.map((entry) => entry.context).sort()).toEqual(['AuthSessions', 'Redis']);
    expect(back.map((entry) => entry.context).sort()).toEqual(['AuthSessions', 'Redis']);
    for (const entry of back) {
      expect(entry.failedAttempts).toBeGreaterThan(2);
      expect(entry.downMs).toBeGreaterThan(5000);
      expect(entry.msg).toMatch(/^Redis \(127\.0\.0\.1:\d+\) is back after \d+ failed connection attempts/);
    }
    const attempts = back.reduce((sum, entry) => sum + entry.failedAttempts!, 0);
    // A few lines per state change (the two above, and what degrades: rate limits, the outbox relay), however many retries.
    expect(said.length).toBeLessThanOrEqual(12);
    expect(attempts).toBeGreaterThan(said.length);
    // Redis came back empty (no persistence): the repeating jobs were scheduled again, without a restart.
    const { queue, close } = jobsQueue(redis.url, process.env['SIGNOFF_TEST_REDIS_PREFIX']!);
    try {
      await waitFor('the repeating jobs to be scheduled again', async () => (await queue.getJobScheduler('seal-audit-events'))?.every === 1000, 10_000, 200);
    } finally {
      await close();
    }
    process.stderr.write(
      `\n[redis-operations] ${lines.length} log lines during a ${Math.round((Date.now() - stoppedAt) / 1000)} s outage; ` +
        `${said.length} not request logs (${attempts} failed connection attempts counted):\n${said.map((entry) => `  ${entry.context}: ${entry.msg}`).join('\n')}\n`,
    );
  });

  // Last: it stops the app.
  it('should stop within seconds and cleanly on SIGTERM while Redis does not answer at all (a stopped server)', async () => {
    redis.pause();
    try {
      // The harness sends SIGKILL after 5 s. Before, BullMQ's QUIT waited for an answer until the
      // app's shutdown timeout (25 s), so the app was killed here; it now exits by itself in about 2 s.
      expect(await api.stop()).toBe('code 0');
      expect(api.logs()).toMatch(/Stopped \(SIGTERM\) in \d+\.\d s: HTTP server"/);
    } finally {
      redis.resume();
    }
  });
});

describe('starting while Redis is down', () => {
  let redis: ThrowawayRedis;
  let api: ApiProcess | undefined;

  afterAll(async () => {
    await api?.stop();
    await redis?.dispose();
  });

  // BullMQ prints a queue error nobody listens to on stderr; the library's queue connects as soon as
  // it exists, and its listener used to come later, with the provider that logs outages: an app
  // started while Redis was down wrote one plain-text `Error: connect ECONNREFUSED` stack.
  it('should say so in JSON only, and be healthy once Redis is there', async () => {
    redis = await startThrowawayRedis();
    await redis.stop();
    // Redis comes back only once the app has said it cannot reach it (a fixed wait raced a slow start).
    let output = '';
    let saidUnreachable: () => void = () => undefined;
    const unreachable = new Promise<void>((resolve) => (saidUnreachable = resolve));
    const starting = startApi({
      redisUrl: redis.url,
      env: { LOG_LEVEL: 'info' },
      readyTimeoutMs: 60_000,
      onOutput: (chunk) => {
        output += chunk;
        if (output.includes('"event":"redis_unreachable"')) saidUnreachable();
      },
    });
    starting.catch(() => undefined);
    const said = await Promise.race([unreachable.then(() => true), delay(30_000, false, { ref: false })]);
    await redis.start();
    api = await starting;

    expect(said).toBe(true);
    const lines = api
      .logs()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines.filter((line) => !parses(line))).toEqual([]);
  });
});

function parses(line: string): boolean {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}
