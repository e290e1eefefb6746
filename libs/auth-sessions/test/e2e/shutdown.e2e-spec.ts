import { jest } from '@jest/globals';
import { type INestApplication, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthSessionsModule } from '@signoff/auth-sessions';
import { Queue } from 'bullmq';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../../test-support/throwaway-redis.js';
import { createFixtureDatabase, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { fixtureHostConnections, FixtureUsersModule } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';

/** The library's queue and its job that marks expired sessions (both internal names, read here as a host's operator would). */
const QUEUE = 'auth-sessions';
const JOB_EXPIRE_SESSIONS = 'expire-sessions';
const PREFIX = 'signoff-shutdown';
const BULL_PREFIX = `${PREFIX}:bull`;
/** What the reviewer's host needed: SIGTERM handled well inside a container's grace period, not after minutes. */
const CLOSE_LIMIT_MS = 8000;

/**
 * `app.close()` (what `enableShutdownHooks()` runs on SIGTERM) with Redis gone: it must not wait
 * for Redis to come back, with or without the worker, and with Redis up a running job still
 * finishes before the close returns (docs/operations.md, "Shutdown behind a load balancer").
 * Each test has its own redis-server, which it stops.
 */
describe('AuthSessionsModule shutdown', () => {
  const environment = fixtureEnvironment();
  let database: FixtureDatabase;
  let redis: ThrowawayRedis;

  beforeAll(async () => {
    database = await createFixtureDatabase(environment);
  });

  beforeEach(async () => {
    redis = await startThrowawayRedis();
  });

  afterEach(async () => {
    await redis?.dispose();
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function createHost(runWorkers: boolean): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ...fixtureHostConnections(database.url, redis.url, BULL_PREFIX),
        AuthSessionsModule.forRootAsync({
          imports: [FixtureUsersModule],
          inject: [FixtureUsers],
          useFactory: (users: FixtureUsers) => ({ users, publicOrigin: 'http://127.0.0.1', redis: { url: redis.url, prefix: PREFIX }, runWorkers }),
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  }

  /** How long `app.close()` took, or null when it had not returned after CLOSE_LIMIT_MS (the app is then left behind). */
  async function timeClose(app: INestApplication): Promise<number | null> {
    const started = performance.now();
    const closed = app.close().then(() => performance.now() - started);
    return Promise.race([closed, delay(CLOSE_LIMIT_MS, null, { ref: false })]);
  }

  /** A queue handle of the test's own on the library's queue (the app's is closed with the app). */
  async function withQueue<T>(work: (queue: Queue) => Promise<T>): Promise<T> {
    const queue = new Queue(QUEUE, { connection: { url: redis.url }, prefix: BULL_PREFIX });
    try {
      return await work(queue);
    } finally {
      await queue.close();
    }
  }

  async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await delay(100);
    }
  }

  for (const runWorkers of [false, true]) {
    describe(`with runWorkers: ${runWorkers}`, () => {
      it(`should open ${runWorkers ? 'one BullMQ worker' : 'no BullMQ worker (nothing to close)'}`, async () => {
        const app = await createHost(runWorkers);
        try {
          await waitFor(async () => (await withQueue((queue) => queue.getWorkersCount())) === (runWorkers ? 1 : 0), 'the worker count');
        } finally {
          await app.close();
        }
      });

      it(`should close within ${CLOSE_LIMIT_MS / 1000} s while Redis is unreachable`, async () => {
        const app = await createHost(runWorkers);
        // Let the worker block on Redis and the repeating jobs be scheduled, as in a running app.
        await delay(1000);
        await redis.stop();
        // Long enough for every connection to be in its reconnect loop, and for the library to have
        // queued commands behind it (rescheduling the repeating jobs after the disconnection).
        await delay(1500);

        expect(await timeClose(app)).not.toBeNull();
      });

      it('should close while Redis is up', async () => {
        const app = await createHost(runWorkers);
        await delay(500);

        expect(await timeClose(app)).not.toBeNull();
      });
    });
  }

  // A test or script that closes the app as soon as it is up: the scheduling was cut off by the
  // queue's close, logged "Could not schedule … (Connection is closed.)" and kept timers alive.
  it('should close right after init without a scheduling warning, the repeating jobs scheduled', async () => {
    const warnings: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    try {
      const app = await createHost(false);
      expect(await timeClose(app)).not.toBeNull();
    } finally {
      warn.mockRestore();
    }

    expect(warnings.filter((message) => message.includes('Could not schedule'))).toEqual([]);
    expect(await withQueue(async (queue) => (await queue.getJobSchedulers()).map((scheduler) => scheduler.key).sort())).toEqual([
      'expire-sessions',
      'prune-audit-events',
      'prune-ended-sessions',
      'seal-audit-events',
    ]);
  });

  it('should let a running job finish and record it before the close returns, while Redis is up', async () => {
    const app = await createHost(true);
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    let closing: Promise<number | null> | undefined;
    try {
      // The expiry job updates auth_sessions: holding the table keeps the job running until released.
      // The scheduler may start one of its own first (the worker runs one job at a time): whichever
      // expiry job is running is the one followed.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE auth_sessions IN ACCESS EXCLUSIVE MODE');
      await withQueue((queue) => queue.add(JOB_EXPIRE_SESSIONS, {}, { jobId: 'drain-probe' }));
      let runningId: string | undefined;
      await waitFor(async () => {
        runningId = (await withQueue((queue) => queue.getActive())).find((job) => job.name === JOB_EXPIRE_SESSIONS)?.id;
        return runningId !== undefined;
      }, 'an expiry job to start');

      closing = timeClose(app);
      await delay(1500);
      await locker.query('COMMIT');
      const ms = await closing;

      expect(ms).not.toBeNull();
      expect(ms).toBeGreaterThanOrEqual(1400);
      expect(await withQueue((queue) => queue.getJobState(runningId ?? ''))).toBe('completed');
    } finally {
      await locker.end();
      if (!closing) await app.close();
    }
  });
});
