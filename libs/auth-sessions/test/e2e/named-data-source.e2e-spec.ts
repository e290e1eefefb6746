import { BullModule } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import {
  AUTH_SESSIONS_ENTITIES,
  AUTH_SESSIONS_MIGRATIONS,
  type AuthSessionsModuleExtras,
  CredentialsService,
  UserErasureService,
} from '@signoff/auth-sessions';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { fixtureAuthSessionsModule, FixtureUsersModule } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';

const PASSWORD = 'correct horse battery staple';

/**
 * A host whose default DataSource is its own database (its users) and whose library tables live in a
 * DataSource of their own, named in the module's `dataSource` extra: the library reads and writes only
 * that one.
 */
describe('The library on a named DataSource (dataSource extra)', () => {
  const environment = fixtureEnvironment();
  const prefix = `${environment.redisPrefix}-named-source`;
  let hostDatabase: FixtureDatabase;
  let authDatabase: FixtureDatabase;
  let app: INestApplication;
  let server: Server;

  function compile(extras: AuthSessionsModuleExtras) {
    return Test.createTestingModule({
      imports: [
        // The host's default DataSource: its users only, none of the library's entities or migrations.
        TypeOrmModule.forRoot({ type: 'postgres', url: hostDatabase.url }),
        TypeOrmModule.forRoot({
          name: 'auth',
          type: 'postgres',
          url: authDatabase.url,
          entities: AUTH_SESSIONS_ENTITIES,
          migrations: AUTH_SESSIONS_MIGRATIONS,
          migrationsRun: true,
        }),
        BullModule.forRoot({ connection: { url: environment.redisUrl }, prefix: `${prefix}:bull` }),
        FixtureUsersModule,
        fixtureAuthSessionsModule(environment.redisUrl, prefix, {}, extras),
      ],
    }).compile();
  }

  beforeAll(async () => {
    hostDatabase = await createFixtureDatabase(environment);
    authDatabase = await createFixtureDatabase(environment);
    app = (await compile({ dataSource: 'auth' })).createNestApplication({ logger: ['error', 'warn'] });
    await app.init();
    server = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app?.close();
    await hostDatabase?.drop();
    await authDatabase?.drop();
    await deleteRedisKeys(environment.redisUrl, prefix);
  });

  const tables = async (dataSource: DataSource) =>
    (
      await dataSource.query<Array<{ name: string }>>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('fixture_users', 'auth_sessions', 'auth_audit_events') ORDER BY 1`,
      )
    ).map((row) => row.name);

  it("should keep the library's tables in its DataSource and the host's users in the default one", async () => {
    expect(await tables(app.get(DataSource))).toEqual(['fixture_users']);
    expect(await tables(app.get<DataSource>(getDataSourceToken('auth')))).toEqual(['auth_audit_events', 'auth_sessions']);
  });

  it('should sign in, serve, log out and erase through the named DataSource', async () => {
    const user = await app.get(FixtureUsers).create(`named-${randomUUID()}@example.test`, PASSWORD);
    const login = await request(server).post('/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);
    const cookies = login.get('Set-Cookie') ?? [];
    const cookie = cookies.map((header) => header.split(';')[0]).join('; ');
    const xsrf = /XSRF-TOKEN=([^;]+)/.exec(cookies.join('\n'))?.[1] ?? '';
    await request(server).get('/auth/me').set('Cookie', cookie).expect(200);
    const auth = app.get<DataSource>(getDataSourceToken('auth'));
    const sessionId = (login.body as { session: { id: string } }).session.id;
    expect(await auth.query('SELECT user_id FROM auth_sessions WHERE id = $1', [sessionId])).toEqual([{ user_id: user.id }]);

    await request(server).post('/auth/logout').set('Cookie', cookie).set('X-XSRF-TOKEN', xsrf).expect(200);
    const refused = await request(server).get('/auth/me').set('Cookie', cookie).expect(401);
    expect(refused.body).toMatchObject({ code: 'session_ended', reason: 'logout' });

    const receipt = await auth.transaction((manager) => app.get(UserErasureService).eraseUser(user.id, { manager }));
    await receipt.announce();
    expect(receipt.erased.sessions).toBe(1);
    expect(await auth.query('SELECT 1 FROM auth_sessions WHERE user_id = $1', [user.id])).toEqual([]);
  });

  it("should refuse a manager of the host's default DataSource, where the library's tables are not, and change nothing", async () => {
    const user = await app.get(FixtureUsers).create(`foreign-${randomUUID()}@example.test`, PASSWORD);
    await request(server).post('/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);
    const foreign = /belongs to another TypeORM DataSource than the library's/;

    await expect(app.get(DataSource).transaction((manager) => app.get(UserErasureService).eraseUser(user.id, { manager }))).rejects.toThrow(foreign);
    await expect(
      app.get(DataSource).transaction((manager) => app.get(CredentialsService).credentialsChanged(user.id, 'security_concern', { manager })),
    ).rejects.toThrow(foreign);

    const auth = app.get<DataSource>(getDataSourceToken('auth'));
    expect(await auth.query('SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1 AND ended_at IS NULL', [user.id])).toEqual([{ n: 1 }]);
    expect(await auth.query('SELECT count(*)::int AS n FROM auth_user_session_state WHERE user_id = $1', [user.id])).toEqual([{ n: 0 }]);
  });

  it('should refuse a dataSource that is not a name', () => {
    for (const dataSource of [null, '', '  ', 42]) {
      expect(() => fixtureAuthSessionsModule(environment.redisUrl, prefix, {}, { dataSource: dataSource as never })).toThrow(
        /`dataSource` is the name of a TypeORM DataSource/,
      );
    }
  });
});
