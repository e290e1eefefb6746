import { jest } from '@jest/globals';
import { BullModule } from '@nestjs/bullmq';
import { spawn } from 'node:child_process';
import { type INestApplication, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUTH_SESSIONS_ENTITIES, AUTH_SESSIONS_MIGRATIONS } from '@signoff/auth-sessions';
import { runAuditJobsForTest, runRetentionJobForTest } from '@signoff/auth-sessions/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { DataSource, type DataSourceOptions, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { fixtureAuthSessionsModule, FixtureUsersModule } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';
import { parseSetCookies } from '../fixtures/set-cookie.js';

const SCHEMA = 'tenant_auth';
const LIBRARY_TABLES = [
  'auth_audit_checkpoints',
  'auth_audit_events',
  'auth_audit_seal_state',
  'auth_audit_seals',
  'auth_outbox',
  'auth_refresh_tokens',
  'auth_secrets',
  'auth_sessions',
  'auth_sso_links',
  'auth_sso_logout_hints',
  'auth_sso_used_tokens',
  'auth_user_session_state',
];

/** A host migration that runs after the library's, in the same transaction with `transaction: 'all'`. */
class CreateHostThings1800000000000 implements MigrationInterface {
  name = 'CreateHostThings1800000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE host_things (id integer PRIMARY KEY)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE host_things');
  }
}

/** What TypeORM's `migration:generate` would write for the library's tables: the schema builder's log. */
async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((query) => query.query);
}

async function tablesBySchema(dataSource: DataSource): Promise<Array<{ schema: string; table: string }>> {
  return dataSource.query(
    `SELECT table_schema AS schema, table_name AS "table" FROM information_schema.tables
      WHERE table_name LIKE 'auth\\_%' ORDER BY table_name`,
  );
}

describe("the library's tables under a host's TypeORM (real PostgreSQL)", () => {
  const environment = fixtureEnvironment();

  describe('with the default schema', () => {
    let database: FixtureDatabase;
    let dataSource: DataSource;

    beforeAll(async () => {
      database = await createFixtureDatabase(environment);
      dataSource = await new DataSource({
        type: 'postgres',
        url: database.url,
        entities: AUTH_SESSIONS_ENTITIES,
        migrations: AUTH_SESSIONS_MIGRATIONS,
      }).initialize();
      await dataSource.runMigrations();
    });

    afterAll(async () => {
      await dataSource?.destroy();
      await database?.drop();
    });

    it('should give migration:generate nothing to change after the migrations ran', async () => {
      expect(await pendingSchemaChanges(dataSource)).toEqual([]);
    });

    it('should notice a missing index, so the empty answer above means the entities match (the control)', async () => {
      await dataSource.query('DROP INDEX auth_sessions_open_expiry_idx');
      try {
        expect(await pendingSchemaChanges(dataSource)).toEqual([expect.stringMatching(/CREATE INDEX "auth_sessions_open_expiry_idx"/)]);
      } finally {
        await dataSource.query('CREATE INDEX auth_sessions_open_expiry_idx ON auth_sessions (absolute_expires_at) WHERE ended_at IS NULL');
      }
    });

    describe("when the database lacks the library's newest migration (an upgrade whose migrations have not run)", () => {
      const redisPrefix = `${environment.redisPrefix}:pending-migrations`;

      /** Starts a host on this database without running migrations; returns the warnings it logged. */
      async function startWarnings(): Promise<string[]> {
        const warnings: string[] = [];
        const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
        let app: INestApplication | undefined;
        try {
          const moduleRef = await Test.createTestingModule({
            imports: [
              TypeOrmModule.forRoot({ type: 'postgres', url: database.url, entities: AUTH_SESSIONS_ENTITIES }),
              BullModule.forRoot({ connection: { url: environment.redisUrl }, prefix: redisPrefix }),
              FixtureUsersModule,
              fixtureAuthSessionsModule(environment.redisUrl, redisPrefix),
            ],
          }).compile();
          app = moduleRef.createNestApplication({ logger: false });
          await app.init();
        } finally {
          warn.mockRestore();
          await app?.close();
        }
        return warnings.filter((message) => message.includes('migrations have not run') || message.includes('migrated by a newer version'));
      }

      afterAll(async () => {
        await deleteRedisKeys(environment.redisUrl, redisPrefix);
      });

      it('should start, and warn once naming it', async () => {
        const newest = AUTH_SESSIONS_MIGRATIONS.map((migration) => new migration().name ?? migration.name).at(-1)!;
        expect(await startWarnings()).toEqual([]);

        const [ran] = await dataSource.query<Array<{ timestamp: string }>>('SELECT timestamp FROM migrations WHERE name = $1', [newest]);
        await dataSource.query('DELETE FROM migrations WHERE name = $1', [newest]);
        try {
          expect(await startWarnings()).toEqual([
            `1 of the library's migrations have not run on this database (${newest}): run AUTH_SESSIONS_MIGRATIONS before this version serves requests, or the routes that need them will fail.`,
          ]);
        } finally {
          await dataSource.query('INSERT INTO migrations (timestamp, name) VALUES ($1, $2)', [ran.timestamp, newest]);
        }
      });

      it("should start after a rollback, and warn once naming the newer version's migrations it does not know", async () => {
        const future = 'SignoffAddSomethingLater1799999999999';
        await dataSource.query('INSERT INTO migrations (timestamp, name) VALUES ($1, $2)', [1799999999999, future]);
        await dataSource.query('INSERT INTO migrations (timestamp, name) VALUES ($1, $2)', [1799999999998, 'HostOwnMigration1799999999998']);
        try {
          expect(await startWarnings()).toEqual([
            `This database was migrated by a newer version of the library (${future}, which this version does not have): this version runs on it, ` +
              "since the library's migrations only add; do not revert them with down() while any instance of the newer version may still run.",
          ]);
        } finally {
          await dataSource.query('DELETE FROM migrations WHERE timestamp >= 1799999999998');
        }
      });
    });
  });

  describe(`with the DataSource option schema: '${SCHEMA}'`, () => {
    let database: FixtureDatabase;
    let dataSource: DataSource;
    let app: INestApplication;
    let server: Server;
    const redisPrefix = `${environment.redisPrefix}:schema`;

    const options = (url: string): DataSourceOptions => ({
      type: 'postgres',
      url,
      schema: SCHEMA,
      entities: AUTH_SESSIONS_ENTITIES,
      migrations: [...AUTH_SESSIONS_MIGRATIONS, CreateHostThings1800000000000],
      migrationsTransactionMode: 'all',
    });

    beforeAll(async () => {
      database = await createFixtureDatabase(environment);
      dataSource = await new DataSource(options(database.url)).initialize();
      await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
      await dataSource.runMigrations({ transaction: 'all' });

      const moduleRef = await Test.createTestingModule({
        imports: [
          TypeOrmModule.forRoot(options(database.url)),
          BullModule.forRoot({ connection: { url: environment.redisUrl }, prefix: redisPrefix }),
          FixtureUsersModule,
          fixtureAuthSessionsModule(environment.redisUrl, redisPrefix, { rateLimit: false }),
        ],
      }).compile();
      app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
      await app.init();
      server = app.getHttpServer() as Server;
    });

    afterAll(async () => {
      await app?.close();
      await dataSource?.destroy();
      await database?.drop();
      await deleteRedisKeys(environment.redisUrl, redisPrefix);
    });

    it("should create every table, function and the migrations table in the schema, and a host migration's table where the host's search_path says", async () => {
      expect(await tablesBySchema(dataSource)).toEqual(LIBRARY_TABLES.map((table) => ({ schema: SCHEMA, table })));
      const functions: Array<{ schema: string }> = await dataSource.query(
        `SELECT DISTINCT n.nspname AS schema FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname LIKE 'auth\\_audit\\_%'`,
      );
      expect(functions).toEqual([{ schema: SCHEMA }]);
      const others: Array<{ schema: string; table: string }> = await dataSource.query(
        `SELECT table_schema AS schema, table_name AS "table" FROM information_schema.tables WHERE table_name IN ('migrations', 'host_things') ORDER BY 2`,
      );
      expect(others).toEqual([
        { schema: 'public', table: 'host_things' },
        { schema: SCHEMA, table: 'migrations' },
      ]);
    });

    it('should give migration:generate nothing to change in the schema', async () => {
      expect(await pendingSchemaChanges(dataSource)).toEqual([]);
    });

    it("should seal the audit chain and prune it through the schema's functions", async () => {
      // The first events of the chain, from long ago (past the default 400 days of retention): the sealer chains
      // them and the prune removes them, both through the schema's tables and functions.
      await dataSource.query(
        `INSERT INTO ${SCHEMA}.auth_audit_events (id, type, at) VALUES (gen_random_uuid(), 'login', now() - interval '500 days'), (gen_random_uuid(), 'logout', now() - interval '499 days')`,
      );
      const run = await runAuditJobsForTest(app);
      expect(run.sealed).toBeGreaterThanOrEqual(2);
      expect(run.pruned).toBe(2);
      // The prune went through the schema's checkpoint (its trigger deleted the two events and their seals there).
      const checkpoints: Array<{ deleted: string }> = await dataSource.query(`SELECT deleted_events::text AS deleted FROM ${SCHEMA}.auth_audit_checkpoints`);
      expect(checkpoints.map((row) => Number(row.deleted))).toEqual([2]);
      const seals: Array<{ count: string }> = await dataSource.query(`SELECT count(*)::text AS count FROM ${SCHEMA}.auth_audit_seals`);
      expect(Number(seals[0].count)).toBe(0);

      // The schema's prune function itself: nothing sealed is older than 30 days any more.
      const deleted: Array<{ deleted: string }> = await dataSource.query(`SELECT ${SCHEMA}.auth_audit_prune(30)::text AS deleted`);
      expect(Number(deleted[0].deleted)).toBe(0);
      const pruned: Array<{ count: string }> = await dataSource.query(
        `SELECT count(*)::text AS count FROM ${SCHEMA}.auth_audit_events WHERE type = 'audit_pruned'`,
      );
      expect(Number(pruned[0].count)).toBe(1);
    });

    it('should sign in, change a password (epoch, outbox, audit), log out and answer 401 session_ended, all against the schema', async () => {
      const users = app.get(FixtureUsers);
      const user = await users.create(`schema-${Date.now()}@example.test`, 'correct horse battery staple');
      const login = await request(server).post('/auth/login').send({ email: user.email, password: 'correct horse battery staple' }).expect(200);
      const cookies = parseSetCookies(login.headers['set-cookie']);
      const cookie = `sid=${cookies.get('sid')!.value}; XSRF-TOKEN=${cookies.get('XSRF-TOKEN')!.value}`;
      const xsrf = cookies.get('XSRF-TOKEN')!.value;
      const other = await request(server).post('/auth/token').send({ email: user.email, password: 'correct horse battery staple' }).expect(200);

      await request(server).get('/auth/sessions').set('Cookie', cookie).expect(200);
      const change = await request(server)
        .post('/auth/password')
        .set('Cookie', cookie)
        .set('X-XSRF-TOKEN', xsrf)
        .send({ currentPassword: 'correct horse battery staple', newPassword: 'an even longer passphrase' })
        .expect(200);
      expect(change.body).toMatchObject({ revoked: 1 });
      const bearer = await request(server)
        .get('/auth/me')
        .set('Authorization', `Bearer ${(other.body as { access_token: string }).access_token}`)
        .expect(401);
      expect(bearer.body).toMatchObject({ code: 'session_ended', reason: 'password_change' });

      const rotated = parseSetCookies(change.headers['set-cookie']);
      const newCookie = `sid=${rotated.get('sid')!.value}; XSRF-TOKEN=${rotated.get('XSRF-TOKEN')!.value}`;
      await request(server).post('/auth/logout').set('Cookie', newCookie).set('X-XSRF-TOKEN', rotated.get('XSRF-TOKEN')!.value).send({}).expect(200);
      const after = await request(server).get('/auth/me').set('Cookie', newCookie).expect(401);
      expect(after.body).toMatchObject({ code: 'session_ended', reason: 'logout' });

      const rows: Array<{ type: string }> = await dataSource.query(`SELECT type FROM ${SCHEMA}.auth_audit_events WHERE user_id = $1 ORDER BY seq`, [user.id]);
      expect(rows.map((row) => row.type)).toEqual(expect.arrayContaining(['login', 'password_changed', 'logout_everywhere', 'logout']));
      const outbox: Array<{ count: string }> = await dataSource.query(`SELECT count(*)::text AS count FROM ${SCHEMA}.auth_outbox`);
      expect(Number(outbox[0].count)).toBeGreaterThan(0);

      // The retention prune, as if 100 days had passed, through the schema's tables. The logged-out session goes; the
      // bearer session the password change ended by epoch stays until the clean-up job (no worker here) marks it.
      const pruned = await runRetentionJobForTest(app, new Date(Date.now() + 100 * 86_400_000));
      expect(pruned?.sessions).toBeGreaterThanOrEqual(1);
      const left: Array<{ id: string; ended_at: Date | null }> = await dataSource.query(`SELECT id, ended_at FROM ${SCHEMA}.auth_sessions WHERE user_id = $1`, [
        user.id,
      ]);
      expect(left).toEqual([{ id: (other.body as { session_id: string }).session_id, ended_at: null }]);
    });

    it('should keep every library table out of public', async () => {
      const inPublic: unknown[] = await dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'auth\\_%'`,
      );
      expect(inPublic).toEqual([]);
    });
  });

  describe('settings the library cannot honour, at start-up of a host app', () => {
    let database: FixtureDatabase;

    beforeAll(async () => {
      database = await createFixtureDatabase(environment);
    });

    afterAll(async () => {
      await database?.drop();
    });

    /**
     * Boots a minimal host of the built package in a process of its own (so connections opened before
     * the failure die with it) and returns how it ended.
     */
    function startHost(
      dataSourceExtra: Record<string, unknown>,
      migrate = false,
      setup: { bull?: boolean; databaseUrl?: string; modules?: 'one' | 'one-imported-twice' | 'two' } = {},
    ): Promise<{ code: number | null; output: string }> {
      const script = `
        import 'reflect-metadata';
        import { Module } from '@nestjs/common';
        import { NestFactory } from '@nestjs/core';
        import { TypeOrmModule } from '@nestjs/typeorm';
        import { BullModule } from '@nestjs/bullmq';
        import { AUTH_SESSIONS_ENTITIES, AUTH_SESSIONS_MIGRATIONS, AuthSessionsModule } from '@signoff/auth-sessions';
        const env = process.env;
        const users = { findById: async () => null, findByEmail: async () => null, verifyPassword: async () => false,
          changePassword: async () => {}, changeEmail: async () => {}, search: async () => ({ items: [], total: 0 }) };
        const auth = () => AuthSessionsModule.forRoot({ users, publicOrigin: 'http://127.0.0.1', redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX }, runWorkers: false });
        const first = auth();
        // A feature module that needs the library too (as GraphQLModule.forRootAsync({ imports }) does).
        class FeatureModule {}
        Module({ imports: env.MODULES === 'two' ? [auth()] : env.MODULES === 'one-imported-twice' ? [first] : [] })(FeatureModule);
        class HostModule {}
        Module({ imports: [
          TypeOrmModule.forRoot({ type: 'postgres', url: env.DATABASE_URL, entities: AUTH_SESSIONS_ENTITIES,
            migrations: AUTH_SESSIONS_MIGRATIONS, migrationsRun: env.MIGRATE === '1', ...JSON.parse(env.EXTRA) }),
          ...(env.BULL === '1' ? [BullModule.forRoot({ connection: { url: env.REDIS_URL }, prefix: env.REDIS_PREFIX })] : []),
          first,
          FeatureModule,
        ] })(HostModule);
        try {
          const app = await NestFactory.createApplicationContext(HostModule, { logger: false, abortOnError: false });
          await app.close();
          console.log('started');
          process.exit(0);
        } catch (error) {
          console.log(error.message);
          process.exit(1);
        }`;
      const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: process.cwd(),
        env: {
          ...env,
          DATABASE_URL: setup.databaseUrl ?? database.url,
          BULL: setup.bull === false ? '0' : '1',
          REDIS_URL: environment.redisUrl,
          REDIS_PREFIX: `${environment.redisPrefix}:unsupported`,
          EXTRA: JSON.stringify(dataSourceExtra),
          MIGRATE: migrate ? '1' : '0',
          MODULES: setup.modules ?? 'one',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
    }

    it("should start a host with neither, the library's migrations run (the control)", async () => {
      expect(await startHost({}, true)).toEqual({ code: 0, output: 'started\n' });
    });

    it('should refuse to start with entityPrefix, saying why and what to do instead', async () => {
      const result = await startHost({ entityPrefix: 'app_' });
      expect(result).toEqual({ code: 1, output: expect.stringMatching(/`entityPrefix` \('app_'\) is not supported.*schema/) });
    });

    it('should refuse to start with synchronize, pointing at the migrations', async () => {
      const result = await startHost({ synchronize: true });
      expect(result).toEqual({ code: 1, output: expect.stringMatching(/`synchronize` is not supported.*AUTH_SESSIONS_MIGRATIONS/) });
    });

    it("should refuse to start when the DataSource lacks the library's entities, naming them and AUTH_SESSIONS_ENTITIES", async () => {
      const result = await startHost({ entities: [] }, true);
      expect(result).toEqual({
        code: 1,
        output: expect.stringMatching(/does not know the library's entities \(Session, UserSessionState, .*AUTH_SESSIONS_ENTITIES/),
      });
    });

    it('should refuse to start on a database whose library migrations have not run, pointing at AUTH_SESSIONS_MIGRATIONS', async () => {
      const fresh = await createFixtureDatabase(environment);
      try {
        const result = await startHost({}, false, { databaseUrl: fresh.url });
        expect(result).toEqual({
          code: 1,
          output: expect.stringMatching(/lacks the library's tables "auth_sessions", .* and \d+ more: .*AUTH_SESSIONS_MIGRATIONS/),
        });
      } finally {
        await fresh.drop();
      }
    });

    it('should refuse to start with two AuthSessionsModules (two forRoot calls), saying to import one object', async () => {
      const result = await startHost({}, true, { modules: 'two' });
      expect(result).toEqual({ code: 1, output: expect.stringMatching(/imports it 2 times, each from its own forRoot.*import that same object/) });
    });

    it('should start with one AuthSessionsModule object imported by two modules (the control)', async () => {
      expect(await startHost({}, true, { modules: 'one-imported-twice' })).toEqual({ code: 0, output: 'started\n' });
    });

    it('should refuse to start without BullModule.forRoot, before BullMQ falls back to localhost', async () => {
      const result = await startHost({}, true, { bull: false });
      expect(result).toEqual({ code: 1, output: expect.stringMatching(/BullMQ has no Redis connection .*BullModule\.forRoot/) });
    });
  });
});
