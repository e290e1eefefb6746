import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { createFixtureApp } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';

const PASSWORD = 'correct horse battery staple';

/**
 * Two apps in one process, each with its own database (two tenants, or a host's test that starts two
 * apps): each app's `/auth/login` checks its own users. passport keeps strategies in one registry per
 * process, by name, so a strategy looked up by name is the last app's.
 */
describe('Two apps with the library in one process', () => {
  const environment = fixtureEnvironment();
  const prefixes = [`${environment.redisPrefix}-first`, `${environment.redisPrefix}-second`];
  const databases: FixtureDatabase[] = [];
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    for (const prefix of prefixes) {
      const database = await createFixtureDatabase(environment);
      databases.push(database);
      apps.push(await createFixtureApp(database.url, environment.redisUrl, prefix));
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const database of databases) await database.drop();
    for (const prefix of prefixes) await deleteRedisKeys(environment.redisUrl, prefix);
  });

  it("should sign each app's users in against its own users, and refuse the other app's", async () => {
    const [first, second] = apps;
    const own = [
      await first.get(FixtureUsers).create(`first-${randomUUID()}@example.test`, PASSWORD),
      await second.get(FixtureUsers).create(`second-${randomUUID()}@example.test`, PASSWORD),
    ];

    for (const [index, app] of apps.entries()) {
      const server = app.getHttpServer() as Server;
      const signedIn = await request(server).post('/auth/login').send({ email: own[index].email, password: PASSWORD }).expect(200);
      expect(signedIn.body).toMatchObject({ user: { id: own[index].id, email: own[index].email } });
      const stranger = own[1 - index];
      const refused = await request(server).post('/auth/login').send({ email: stranger.email, password: PASSWORD }).expect(401);
      expect(refused.body).toMatchObject({ code: 'unauthenticated' });
      await request(server).post('/auth/token').send({ email: own[index].email, password: PASSWORD }).expect(200);
      await request(server).post('/auth/token').send({ email: stranger.email, password: PASSWORD }).expect(401);
    }
  });
});
