import { type INestApplication } from '@nestjs/common';
import { AUTH_SESSIONS_ENTITIES, AUTH_SESSIONS_MIGRATIONS, type AuthSessionsOptions, type SignoffUser } from '@signoff/auth-sessions';
import { runRetentionJobForTest, sessionStateForTest, signInBearerForTest, signInForTest } from '@signoff/auth-sessions/testing';
import { Queue, QueueEvents } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { createFixtureApp } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';

/** The library's queue and the prune's job name, read here as a host's operator would. */
const QUEUE = 'auth-sessions';
const JOB_PRUNE_ENDED_SESSIONS = 'prune-ended-sessions';
const PASSWORD = 'correct horse battery staple';

/**
 * The daily prune of what ended sessions leave behind (`sessionRetentionDays`): sessions ended past the
 * retention go with their refresh tokens, relayed outbox entries past a week go, and nothing else does
 * (open sessions however old, sessions ended within the retention, pending outbox entries). Against the
 * library's migrations on a database of this spec's own.
 */
describe('Retention of ended sessions', () => {
  const environment = fixtureEnvironment();
  const prefix = `${environment.redisPrefix}-retention`;
  const bullPrefix = `${prefix}:bull`;
  let database: FixtureDatabase;

  beforeAll(async () => {
    database = await createFixtureDatabase(environment);
  });

  afterAll(async () => {
    await database?.drop();
    await deleteRedisKeys(environment.redisUrl, prefix);
  });

  function createHost(options: Partial<AuthSessionsOptions>): Promise<INestApplication> {
    return createFixtureApp(database.url, environment.redisUrl, prefix, options);
  }

  function newUser(app: INestApplication, name: string): Promise<SignoffUser> {
    return app.get(FixtureUsers).create(`${name}-${randomUUID()}@example.test`, PASSWORD);
  }

  async function count(app: INestApplication, sql: string, parameters: unknown[]): Promise<number> {
    const rows: Array<{ count: string }> = await app.get(DataSource).query(sql, parameters);
    return Number(rows[0].count);
  }

  /** Moves the end of these sessions `days` into the past, as if they had ended then. */
  async function endedDaysAgo(app: INestApplication, sessionIds: string[], days: number): Promise<void> {
    await app.get(DataSource).query(`UPDATE auth_sessions SET ended_at = ended_at - make_interval(days => $2) WHERE id = ANY($1::uuid[])`, [sessionIds, days]);
  }

  async function logOut(server: Server, headers: Record<string, string>): Promise<void> {
    await request(server).post('/auth/logout').set(headers).send({}).expect(200);
  }

  describe('with sessionRetentionDays: 31 and batches of 2', () => {
    let app: INestApplication;
    let server: Server;

    beforeAll(async () => {
      app = await createHost({ sessionRetentionDays: 31, jobs: { batchSize: 2 } });
      server = app.getHttpServer() as Server;
    });

    afterAll(async () => {
      await app?.close();
    });

    it('should delete sessions ended past the retention with their refresh tokens, keep every other row, and answer their credentials 401', async () => {
      const user = await newUser(app, 'old');
      // Five cookie sessions and two bearer sessions (one refreshed twice: a chain of three tokens), all ended 40 days ago.
      const oldCookies = await Promise.all([1, 2, 3, 4, 5].map(() => signInForTest(app, user)));
      const oldBearers = await Promise.all([1, 2].map(() => signInBearerForTest(app, user)));
      const first = await request(server).post('/auth/token/refresh').send({ refresh_token: oldBearers[0].refreshToken }).expect(200);
      const second = await request(server).post('/auth/token/refresh').send({ refresh_token: first.body.refresh_token }).expect(200);
      for (const session of oldCookies) await logOut(server, session.headers);
      await logOut(server, { authorization: `Bearer ${second.body.access_token}` });
      await logOut(server, oldBearers[1].headers);
      const oldIds = [...oldCookies.map((session) => session.sessionId), ...oldBearers.map((session) => session.sessionId)];
      await endedDaysAgo(app, oldIds, 40);

      // Kept: a session ended 20 days ago, an open one opened long ago, and one of another user ended yesterday.
      const recent = await signInForTest(app, user);
      await logOut(server, recent.headers);
      await endedDaysAgo(app, [recent.sessionId], 20);
      const open = await signInBearerForTest(app, user);
      await app.get(DataSource).query(`UPDATE auth_sessions SET created_at = created_at - interval '400 days' WHERE id = $1`, [open.sessionId]);
      const other = await newUser(app, 'other');
      const otherEnded = await signInForTest(app, other);
      await logOut(server, otherEnded.headers);

      // Outbox: relayed 8 days ago (deleted), relayed yesterday and pending for 30 days (kept).
      const outbox = [randomUUID(), randomUUID(), randomUUID()];
      await app.get(DataSource).query(
        `INSERT INTO auth_outbox (id, job_name, job_id, payload, created_at, relayed_at) VALUES
           ($1::uuid, 'credential-change-cleanup', $1::uuid::text, '{}', now() - interval '9 days', now() - interval '8 days'),
           ($2::uuid, 'credential-change-cleanup', $2::uuid::text, '{}', now() - interval '2 days', now() - interval '1 day'),
           ($3::uuid, 'credential-change-cleanup', $3::uuid::text, '{}', now() - interval '30 days', NULL)`,
        outbox,
      );

      const run = await runRetentionJobForTest(app);
      expect(run).toEqual({ sessions: 7, refreshTokens: 4, outboxEntries: 1 });
      expect(await count(app, `SELECT count(*) FROM auth_sessions WHERE id = ANY($1::uuid[])`, [oldIds])).toBe(0);
      expect(await count(app, `SELECT count(*) FROM auth_refresh_tokens WHERE session_id = ANY($1::uuid[])`, [oldIds])).toBe(0);
      expect(
        await count(app, `SELECT count(*) FROM auth_sessions WHERE id = ANY($1::uuid[])`, [[recent.sessionId, open.sessionId, otherEnded.sessionId]]),
      ).toBe(3);
      expect(await count(app, `SELECT count(*) FROM auth_refresh_tokens WHERE session_id = $1`, [open.sessionId])).toBe(1);
      expect(await count(app, `SELECT count(*) FROM auth_outbox WHERE id = ANY($1::uuid[])`, [outbox])).toBe(2);
      expect(await count(app, `SELECT count(*) FROM auth_outbox WHERE id = $1`, [outbox[0]])).toBe(0);

      // A deleted session's credentials are unknown ones: a plain 401, never a 500; the open session still works.
      await request(server).get('/auth/me').set(oldCookies[0].headers).expect(401);
      await request(server).post('/auth/token/refresh').send({ refresh_token: second.body.refresh_token }).expect(401);
      expect(await sessionStateForTest(app, oldCookies[1].sessionId)).toBeNull();
      expect(await sessionStateForTest(app, recent.sessionId)).toMatchObject({ status: 'ended', reason: 'logout' });
      await request(server).get('/auth/me').set(open.headers).expect(200);
      // The device list still shows the session ended 20 days ago.
      const current = await signInForTest(app, user);
      const devices = await request(server).get('/auth/sessions?include=ended').set(current.headers).expect(200);
      expect(JSON.stringify(devices.body)).toContain(recent.sessionId);
      expect(JSON.stringify(devices.body)).not.toContain(oldCookies[1].sessionId);

      // Nothing is left to delete: a second run deletes nothing.
      expect(await runRetentionJobForTest(app)).toEqual({ sessions: 0, refreshTokens: 0, outboxEntries: 0 });
    });

    it('should schedule the prune daily in UTC', async () => {
      const queue = new Queue(QUEUE, { connection: { url: environment.redisUrl }, prefix: bullPrefix });
      try {
        for (let tries = 0; tries < 50 && !(await queue.getJobScheduler(JOB_PRUNE_ENDED_SESSIONS)); tries++) await delay(100);
        const scheduler = await queue.getJobScheduler(JOB_PRUNE_ENDED_SESSIONS);
        expect(scheduler).toMatchObject({ pattern: '47 3 * * *', tz: 'UTC' });
      } finally {
        await queue.close();
      }
    });
  });

  describe('with the worker running', () => {
    it('should run the prune as a job of the queue, and answer what it deleted', async () => {
      const app = await createHost({ runWorkers: true });
      const queue = new Queue(QUEUE, { connection: { url: environment.redisUrl }, prefix: bullPrefix });
      const events = new QueueEvents(QUEUE, { connection: { url: environment.redisUrl }, prefix: bullPrefix });
      try {
        const user = await newUser(app, 'worker');
        const session = await signInForTest(app, user);
        await logOut(app.getHttpServer() as Server, session.headers);
        await endedDaysAgo(app, [session.sessionId], 91);
        await events.waitUntilReady();
        const job = await queue.add(JOB_PRUNE_ENDED_SESSIONS, {});
        const result = (await job.waitUntilFinished(events, 15_000)) as { sessions: number };
        expect(result.sessions).toBeGreaterThanOrEqual(1);
        expect(await count(app, `SELECT count(*) FROM auth_sessions WHERE id = $1`, [session.sessionId])).toBe(0);
      } finally {
        await events.close();
        await queue.close();
        await app.close();
      }
    });
  });

  describe('the migration of the index the prune needs', () => {
    it('should build again an invalid index a failed CONCURRENTLY build left under its name, and keep a valid one as it is', async () => {
      const migrated = await createFixtureDatabase(environment);
      const dataSource = new DataSource({ type: 'postgres', url: migrated.url, entities: AUTH_SESSIONS_ENTITIES, migrations: AUTH_SESSIONS_MIGRATIONS });
      try {
        await dataSource.initialize();
        await dataSource.runMigrations();
        const INDEX = 'auth_refresh_tokens_session_id_idx';
        const MIGRATION = 'SignoffIndexRefreshTokensBySession1767830400000';
        const state = async () => {
          const rows: Array<{ valid: boolean; unique: boolean; oid: number }> = await dataSource.query(
            `SELECT indisvalid AS valid, indisunique AS unique, indexrelid::int AS oid FROM pg_index WHERE indexrelid = to_regclass($1)`,
            [INDEX],
          );
          return rows[0];
        };
        const built = await state();
        expect(built).toMatchObject({ valid: true, unique: false });

        // An operator's CONCURRENTLY build that fails (here: UNIQUE over two tokens of one session) leaves an INVALID index of that name.
        const sessionId = randomUUID();
        await dataSource.query(
          `INSERT INTO auth_sessions (id, user_id, kind, token_hash, created_at, last_active_at, idle_seconds, absolute_expires_at, fresh_at)
           VALUES ($1, $2, 'bearer', '\\x01', now(), now(), 60, now() + interval '1 hour', now())`,
          [sessionId, randomUUID()],
        );
        await dataSource.query(
          `INSERT INTO auth_refresh_tokens (id, session_id, token_hash, created_at) VALUES ($1, $3, '\\x02', now()), ($2, $3, '\\x03', now())`,
          [randomUUID(), randomUUID(), sessionId],
        );
        await dataSource.query(`DROP INDEX ${INDEX}`);
        await expect(dataSource.query(`CREATE UNIQUE INDEX CONCURRENTLY ${INDEX} ON auth_refresh_tokens (session_id)`)).rejects.toThrow(
          /could not create unique index/,
        );
        expect(await state()).toMatchObject({ valid: false, unique: true });

        // The migration, run again, builds it properly; run once more, it leaves the valid index alone.
        await dataSource.query(`DELETE FROM migrations WHERE name = $1`, [MIGRATION]);
        await dataSource.runMigrations();
        const rebuilt = await state();
        expect(rebuilt).toMatchObject({ valid: true, unique: false });
        await dataSource.query(`DELETE FROM migrations WHERE name = $1`, [MIGRATION]);
        await dataSource.runMigrations();
        expect(await state()).toEqual(rebuilt);
      } finally {
        if (dataSource.isInitialized) await dataSource.destroy();
        await migrated.drop();
      }
    });
  });

  describe('with sessionRetentionDays: false', () => {
    it('should delete nothing and take the daily prune off the schedule a host had with retention on', async () => {
      const queue = new Queue(QUEUE, { connection: { url: environment.redisUrl }, prefix: bullPrefix });
      expect(await queue.getJobScheduler(JOB_PRUNE_ENDED_SESSIONS)).toBeDefined();
      const app = await createHost({ sessionRetentionDays: false });
      try {
        // The schedules are set after start-up, without holding it up.
        for (let tries = 0; tries < 50 && (await queue.getJobScheduler(JOB_PRUNE_ENDED_SESSIONS)); tries++) await delay(100);
        expect(await queue.getJobScheduler(JOB_PRUNE_ENDED_SESSIONS)).toBeUndefined();
        const user = await newUser(app, 'kept');
        const session = await signInForTest(app, user);
        await logOut(app.getHttpServer() as Server, session.headers);
        await endedDaysAgo(app, [session.sessionId], 4000);
        expect(await runRetentionJobForTest(app)).toBeNull();
        expect(await count(app, `SELECT count(*) FROM auth_sessions WHERE id = $1`, [session.sessionId])).toBe(1);
      } finally {
        await app.close();
        await queue.close();
      }
    });
  });
});
