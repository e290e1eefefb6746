import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type ApiProcess, startApis } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { startThrowawaySentinelSet, type ThrowawaySentinelSet } from '../../../test-support/throwaway-sentinel.js';
import { type Account, PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { bearerSignIn, isolated, type Isolated, cleanupJobId, QUEUE, refreshWith, waitFor } from './support/jobs.js';

const NEW_PASSWORD = 'a brand new and longer passphrase';
const ARTIFACT = fileURLToPath(new URL('../../../test-artifacts/redis-failover.json', import.meta.url));

interface Sample {
  label: string;
  instance: 'A' | 'B';
  sentAt: number;
  status: number;
}

interface Ending {
  label: string;
  via: 'A' | 'B';
  startedAt: number;
  acknowledgedAt: number;
  status: number;
}

/**
 * Redis failover, for real: a primary, a replica and three Sentinels; two instances reach Redis
 * only through the Sentinels (REDIS_URL=redis+sentinel://…). Mid-traffic the primary is killed
 * (SIGKILL). The session guard must not accept an ended session at any moment (FT-04), jobs queued
 * before the failover and jobs recorded during it must run afterwards, and health must come back
 * without a restart.
 */
describe('Redis failover through Sentinel (two instances, a primary, a replica and three Sentinels the test owns)', () => {
  let set: ThrowawaySentinelSet;
  let scope: Isolated;
  let a: ApiProcess;
  let b: ApiProcess;
  let db: TestDatabase;
  let queue: Queue;
  let queueConnection: Redis;
  let stopTraffic = async (): Promise<void> => undefined;

  beforeAll(async () => {
    set = await startThrowawaySentinelSet();
    scope = isolated('failover');
    // One PUBLIC_ORIGIN for both: it is the access tokens' issuer and audience.
    const env = { REDIS_PREFIX: scope.redisPrefix, PUBLIC_ORIGIN: 'http://signoff.localhost' };
    [a, b] = await startApis(2, { databaseUrl: scope.databaseUrl, redisUrl: set.url, env });
    db = new TestDatabase(scope.databaseUrl);
    queueConnection = new Redis({ sentinels: set.sentinels.map(({ port }) => ({ host: '127.0.0.1', port })), name: set.name, maxRetriesPerRequest: null });
    queueConnection.on('error', () => undefined);
    queue = new Queue(QUEUE, { connection: queueConnection, prefix: `${scope.redisPrefix}:bull` });
    queue.on('error', () => undefined);
  }, 90_000);

  afterAll(async () => {
    await stopTraffic();
    await queue?.close().catch(() => undefined);
    queueConnection?.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await set?.dispose();
    await scope?.drop();
  });

  it('should accept no ended session during or after the failover, drain queued jobs and the outbox afterwards, and recover health without a restart (FT-04)', async () => {
    const instances = { A: a, B: b } as const;
    const on = (instance: 'A' | 'B', cookies: Map<string, string>) => {
      const client = new BrowserClient(instances[instance].url);
      for (const [name, value] of cookies) client.cookies.set(name, value);
      return client;
    };
    const primaryPort = set.primary.port;
    expect(await set.masterPort()).toBe(primaryPort);
    // Both instances talk to the primary the Sentinels named: their heartbeats register them there.
    const registry = new Redis({ host: '127.0.0.1', port: primaryPort, lazyConnect: true, retryStrategy: () => null });
    registry.on('error', () => undefined);
    await registry.connect();
    // (Heartbeats run every 400 ms, so the second registration may follow health by a moment.)
    await waitFor('both instances to register on the primary', async () => (await registry.zcard(`${scope.redisPrefix}:auth:instances`)) === 2, 5000, 100);
    registry.disconnect();

    // Six browser sessions of one user, each read on both instances all along; most are ended one by one.
    const victim = await registerAccount(a.url, 'victim');
    const sessions = await Promise.all(Array.from({ length: 6 }, () => signIn(a.url, victim)));
    const bearerUser = await registerAccount(a.url, 'bearer');
    const revokedBearer = await bearerSignIn(a.url, bearerUser);
    const liveBearer = await bearerSignIn(a.url, bearerUser);
    // Credential changes: one before the failover (its job queued), one during it (its job in the outbox).
    const changeBefore = await credentialUser(a.url, 'before');
    const changeDuring = await credentialUser(a.url, 'during');

    // Jobs stay queued until the end: the workers keep running and must pick them up after the failover.
    await queue.pause();
    const before = await changeBefore.caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(before.status).toBe(200);
    const beforeJobId = cleanupJobId(changeBefore.account.id, 1);
    await waitFor('the first credential change to be relayed', async () => (await outboxRow(beforeJobId))?.relayed_at, 10_000);
    expect(await queue.getJobState(beforeJobId)).toBe('waiting');
    // The relay confirmed replication (WAIT 1) before marking the entry relayed: the replica has the job.
    expect(await nodeCommand(set.replica.port, ['EXISTS', `${scope.redisPrefix}:bull:${QUEUE}:${beforeJobId}`])).toBe(1);

    const samples: Sample[] = [];
    const health: Sample[] = [];
    const sentinelEvents: Array<{ event: string; at: number; message: string }> = [];
    // Every Sentinel's events: the leader alone announces its election and the promotion.
    const watchers = set.sentinels.map(({ port }) => new Redis({ host: '127.0.0.1', port }));
    for (const watcher of watchers) {
      watcher.on('error', () => undefined);
      watcher.on('pmessage', (_pattern: string, channel: string, message: string) => {
        if (channel.startsWith('+') || channel.startsWith('-')) sentinelEvents.push({ event: channel, at: performance.now(), message });
      });
      await watcher.psubscribe('*');
    }

    let isRunning = true;
    // Stops the traffic and the watcher however the test ends (a failed expectation must not leave loops running).
    stopTraffic = async () => {
      isRunning = false;
      await Promise.all(loops);
      // Waits for each to end: ioredis's disconnect keeps a timer of up to 2 s until the socket closes, and one left
      // running when the file ends held Jest's worker ("A worker process has failed to exit gracefully").
      await Promise.all(
        watchers.map((watcher) =>
          watcher.status === 'end' ? Promise.resolve() : new Promise<void>((ended) => (watcher.once('end', () => ended()), watcher.disconnect())),
        ),
      );
    };
    const loop = async (label: string, request: (instance: 'A' | 'B') => Promise<number>, into: Sample[], pauseMs: number) => {
      for (let turn = 0; isRunning; turn++) {
        const instance = turn % 2 === 0 ? 'A' : 'B';
        const sentAt = performance.now();
        const status = await request(instance).catch(() => 0);
        into.push({ label, instance, sentAt, status });
        await delay(pauseMs);
      }
    };
    const me = (cookies: Map<string, string>) => async (instance: 'A' | 'B') => (await on(instance, cookies).get('/api/auth/me')).status;
    const meBearer = (token: string) => async (instance: 'A' | 'B') =>
      (await new BrowserClient(instances[instance].url).get('/api/auth/me', { bearer: token })).status;
    const loops = [
      ...sessions.map((session, index) => loop(`session ${index}`, me(new Map(session.browser.cookies)), samples, 25)),
      loop('bearer revoked', meBearer(revokedBearer.access_token), samples, 25),
      loop('bearer live', meBearer(liveBearer.access_token), samples, 25),
      loop('health', async (instance) => (await new BrowserClient(instances[instance].url).get('/api/health')).status, health, 50),
    ];

    const endings: Ending[] = [];
    const end = async (label: string, via: 'A' | 'B', send: () => Promise<{ status: number }>) => {
      const startedAt = performance.now();
      const { status } = await send();
      endings.push({ label, via, startedAt, acknowledgedAt: performance.now(), status });
    };
    const logout = (index: number, via: 'A' | 'B') =>
      end(`session ${index}`, via, () => on(via, new Map(sessions[index].browser.cookies)).post('/api/auth/logout'));

    await delay(1000);
    await logout(0, 'A');
    await delay(500);

    const killedAt = performance.now();
    const logOffsets = { A: a.logs().length, B: b.logs().length };
    await set.primary.kill();

    // During the failover: logouts through either instance, a token revocation, a credential change.
    await delay(200);
    await logout(1, 'B');
    await logout(2, 'A');
    await end('bearer revoked', 'B', () => new BrowserClient(b.url).post('/api/auth/token/revoke', { json: { refresh_token: revokedBearer.refresh_token } }));
    const during = await changeDuring.caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    const duringAnsweredAt = performance.now();
    expect(during.status).toBe(200);
    await logout(3, 'B');

    const switched = await waitFor(
      'the Sentinels to promote the replica',
      async () => sentinelEvents.find((event) => event.event === '+switch-master'),
      30_000,
      50,
    );
    const healthyAt = async (instance: 'A' | 'B') =>
      waitFor(
        `instance ${instance} to be healthy again`,
        () => {
          const after = health.filter((sample) => sample.instance === instance && sample.sentAt > killedAt);
          const lastDown = after.reduce((latest, sample) => (sample.status !== 200 ? sample.sentAt : latest), killedAt);
          return after.find((sample) => sample.sentAt > lastDown && sample.status === 200)?.sentAt;
        },
        30_000,
        50,
      );
    const [healthyA, healthyB] = await Promise.all([healthyAt('A'), healthyAt('B')]);

    // After the failover: a logout whose answer waits for B's acknowledgement through the new primary.
    await delay(1000);
    await logout(4, 'A');
    await delay(1500);
    await stopTraffic();

    // Every ending was answered 200, and nothing it ended was accepted afterwards, on either instance.
    expect(endings.map(({ label, status }) => ({ label, status }))).toEqual(endings.map(({ label }) => ({ label, status: 200 })));
    const acceptedAfterEnd = endings.flatMap((ending) =>
      samples.filter((sample) => sample.label === ending.label && sample.sentAt >= ending.acknowledgedAt && sample.status !== 401),
    );
    expect(acceptedAfterEnd).toEqual([]);
    // The live sessions were served all along (checked against PostgreSQL while Redis was away).
    const live = samples.filter((sample) => sample.label === 'session 5' || sample.label === 'bearer live');
    expect(live.filter((sample) => sample.status !== 200)).toEqual([]);
    const inFailover = (sample: Sample) => sample.sentAt >= killedAt && sample.sentAt < Math.max(healthyA, healthyB);
    expect(live.filter(inFailover).length).toBeGreaterThan(20);
    for (const ending of endings)
      expect(samples.filter((sample) => sample.label === ending.label && sample.sentAt >= ending.acknowledgedAt).length).toBeGreaterThan(3);

    // The replica is the primary now, and the revocation path works through it: B acknowledged at once.
    expect(await set.masterPort()).toBe(set.replica.port);
    const lastLogout = endings.find((ending) => ending.label === 'session 4')!;
    expect(lastLogout.acknowledgedAt - lastLogout.startedAt).toBeLessThan(1500);
    // The revoked refresh token stays spent after the failover, on both instances (FT-04).
    expect((await refreshWith(a.url, revokedBearer.refresh_token)).status).toBe(401);
    expect((await refreshWith(b.url, revokedBearer.refresh_token)).status).toBe(401);

    // Health recovered in the same processes, and each instance logged the outage as JSON lines.
    for (const [name, api] of Object.entries(instances)) {
      expect((await new BrowserClient(api.url).get('/api/health')).status).toBe(200);
      const lines = api
        .logs()
        .slice(logOffsets[name as 'A' | 'B'])
        .split('\n')
        .filter((line) => line.trim() !== '');
      expect(lines.filter((line) => !isJson(line))).toEqual([]);
      expect(lines.filter((line) => line.includes('"event":"redis_unreachable"')).length).toBeGreaterThanOrEqual(1);
    }

    // The queued job and the one recorded during the failover both run once the queue resumes.
    const duringJobId = cleanupJobId(changeDuring.account.id, 1);
    await queue.resume();
    await waitFor(
      'the outbox to drain',
      async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM auth_outbox WHERE relayed_at IS NULL'))[0].n) === 0,
      30_000,
      200,
    );
    for (const jobId of [beforeJobId, duringJobId]) {
      await waitFor(`job ${jobId} to complete`, async () => (await queue.getJobState(jobId)) === 'completed', 30_000, 200);
    }
    for (const change of [changeBefore, changeDuring]) {
      const rows = await db.query<{ id: string; end_reason: string | null }>('SELECT id, end_reason FROM auth_sessions WHERE user_id = $1', [
        change.account.id,
      ]);
      expect(rows.filter((row) => row.id !== change.caller.sessionId).map((row) => row.end_reason)).toEqual(['password_change', 'password_change']);
      for (const other of change.others) {
        expect((await other.browser.get('/api/auth/me')).status).toBe(401);
        expect((await on('B', new Map(other.browser.cookies)).get('/api/auth/me')).status).toBe(401);
      }
    }

    // The timeline, for the report (milliseconds after the kill).
    const at = (time: number | undefined) => (time === undefined ? null : Math.round(time - killedAt));
    const firstEvent = (name: string) => at(sentinelEvents.find((event) => event.event === name)?.at);
    const window = (instance: 'A' | 'B') => health.filter((sample) => sample.instance === instance && sample.sentAt >= killedAt);
    const timeline = {
      sentinel: {
        sdown: firstEvent('+sdown'),
        odown: firstEvent('+odown'),
        electedLeader: firstEvent('+elected-leader'),
        replicaSelected: firstEvent('+selected-slave'),
        promoted: firstEvent('+promoted-slave'),
        switchMaster: at(switched.at),
        failoverEnd: firstEvent('+failover-end'),
      },
      health: {
        A: { firstUnhealthy: at(window('A').find((sample) => sample.status !== 200)?.sentAt), healthyAgain: at(healthyA) },
        B: { firstUnhealthy: at(window('B').find((sample) => sample.status !== 200)?.sentAt), healthyAgain: at(healthyB) },
      },
      endings: endings.map((ending) => ({
        ...ending,
        startedAt: at(ending.startedAt),
        acknowledgedAt: at(ending.acknowledgedAt),
        tookMs: Math.round(ending.acknowledgedAt - ending.startedAt),
      })),
      credentialChangeDuringFailover: { answeredAt: at(duringAnsweredAt), status: during.status },
      guard: {
        requests: samples.length,
        duringFailover: countStatuses(samples.filter(inFailover)),
        liveDuringFailover: countStatuses(live.filter(inFailover)),
        endedAfterAcknowledgement: countStatuses(
          endings.flatMap((ending) => samples.filter((sample) => sample.label === ending.label && sample.sentAt >= ending.acknowledgedAt)),
        ),
      },
    };
    await mkdir(dirname(ARTIFACT), { recursive: true });
    await writeFile(ARTIFACT, `${JSON.stringify(timeline, null, 2)}\n`);
    process.stderr.write(`\n[redis-failover] timeline (ms after SIGKILL of the primary):\n${JSON.stringify(timeline, null, 2)}\n`);
  }, 180_000);

  async function credentialUser(baseUrl: string, label: string) {
    const account: Account = await registerAccount(baseUrl, `change-${label}`);
    const caller = await signIn(baseUrl, account);
    const others = [await signIn(baseUrl, account), await signIn(baseUrl, account)];
    return { account, caller, others };
  }

  async function outboxRow(jobId: string) {
    return (await db.query<{ relayed_at: Date | null }>('SELECT relayed_at FROM auth_outbox WHERE job_id = $1', [jobId]))[0];
  }
});

async function nodeCommand(port: number, args: string[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(args[0], ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

function isJson(line: string): boolean {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}

function countStatuses(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples) counts[sample.status] = (counts[sample.status] ?? 0) + 1;
  return counts;
}
