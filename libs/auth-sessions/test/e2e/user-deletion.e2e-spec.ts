import type { INestApplication } from '@nestjs/common';
import { type CredentialChangeReceipt, CredentialsService } from '@signoff/auth-sessions';
import { signInBearerForTest, signInForTest } from '@signoff/auth-sessions/testing';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { createFixtureApp } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';

/**
 * A host deleting one of its users (docs/host-guide.md, "When you delete a user"): the host's delete and
 * `credentialsChanged(…, { manager })` commit together, and after `receipt.announce()` every session of the
 * user is refused with its reason on the next request, cached or not. A rolled-back delete ends nothing.
 */
describe('A host deletes a user', () => {
  const environment = fixtureEnvironment();
  const prefix = `${environment.redisPrefix}-deletion`;
  let database: FixtureDatabase;
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    database = await createFixtureDatabase(environment);
    app = await createFixtureApp(database.url, environment.redisUrl, prefix);
    server = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await deleteRedisKeys(environment.redisUrl, prefix);
  });

  async function userWithSessions() {
    const user = await app.get(FixtureUsers).create(`deleted-${randomUUID()}@example.test`, 'correct horse battery staple');
    const cookies = [await signInForTest(app, user), await signInForTest(app, user)];
    const bearer = await signInBearerForTest(app, user);
    const everyHeaders = [...cookies.map((session) => session.headers), bearer.headers];
    // Each session served (and cached) before the delete.
    for (const headers of everyHeaders) await request(server).get('/auth/me').set(headers).expect(200);
    return { user, bearer, everyHeaders };
  }

  /** The host's own transaction: its delete, and the end of the user's sessions with the host's manager. */
  function deleteUser(userId: string, thenFail = false): Promise<CredentialChangeReceipt> {
    return app.get(DataSource).transaction(async (manager) => {
      await manager.query('DELETE FROM fixture_users WHERE id = $1', [userId]);
      const receipt = await app.get(CredentialsService).credentialsChanged(userId, 'security_concern', { manager, note: 'account deleted' });
      if (thenFail) throw new Error('the host failed after the library wrote');
      return receipt;
    });
  }

  it('should end every session of the user, cookie and bearer, with its reason, once the host commits and announces', async () => {
    const { user, bearer, everyHeaders } = await userWithSessions();

    const receipt = await deleteUser(user.id);
    await receipt.announce();

    expect(receipt.revoked).toBe(3);
    for (const headers of everyHeaders) {
      const refused = await request(server).get('/auth/me').set(headers).expect(401);
      expect(refused.body).toMatchObject({ code: 'session_ended', reason: 'security_concern' });
    }
    await request(server).post('/auth/token/refresh').send({ refresh_token: bearer.refreshToken }).expect(401);
  });

  it('should end nothing when the host rolls its delete back', async () => {
    const { user, everyHeaders } = await userWithSessions();

    await expect(deleteUser(user.id, true)).rejects.toThrow('the host failed after the library wrote');

    for (const headers of everyHeaders) await request(server).get('/auth/me').set(headers).expect(200);
  });
});
