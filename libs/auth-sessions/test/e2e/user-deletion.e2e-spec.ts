import type { INestApplication } from '@nestjs/common';
import { type CredentialChangeReceipt, CredentialsService, type UserErasureReceipt, UserErasureService } from '@signoff/auth-sessions';
import { signInBearerForTest, signInForTest } from '@signoff/auth-sessions/testing';
import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { createFixtureApp } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';

/**
 * A host deleting one of its users (docs/host-guide.md, "When you delete a user"): the host's delete and
 * `credentialsChanged(…, { manager })` commit together, and after `receipt.announce()` every session of the
 * user is refused with its reason on the next request, cached or not. A rolled-back delete ends nothing.
 * `UserErasureService.eraseUser` does the same and deletes what the library keeps of the user at once.
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

  describe('erasing the user (UserErasureService.eraseUser)', () => {
    type Counts = { sessions: number; tokens: number; links: number; state: number };

    async function kept(userId: string): Promise<Counts> {
      const [row] = await app.get(DataSource).query<Counts[]>(
        `SELECT (SELECT count(*)::int FROM auth_sessions WHERE user_id = $1) AS sessions,
                (SELECT count(*)::int FROM auth_refresh_tokens r JOIN auth_sessions s ON s.id = r.session_id WHERE s.user_id = $1) AS tokens,
                (SELECT count(*)::int FROM auth_sso_links WHERE user_id = $1) AS links,
                (SELECT count(*)::int FROM auth_user_session_state WHERE user_id = $1) AS state`,
        [userId],
      );
      return row;
    }

    /** A user with two cookie sessions, a bearer session with a rotated refresh token, an ended session and a single sign-on link. */
    async function userWithData() {
      const { user, bearer, everyHeaders } = await userWithSessions();
      const rotated = await request(server).post('/auth/token/refresh').send({ refresh_token: bearer.refreshToken }).expect(200);
      const ended = await signInForTest(app, user);
      await request(server).post('/auth/logout').set(ended.headers).expect(200);
      await app
        .get(DataSource)
        .query(`INSERT INTO auth_sso_links (issuer, subject, user_id, created_at, last_login_at) VALUES ('https://idp.example.test', $1, $2, now(), now())`, [
          `subject-${randomUUID()}`,
          user.id,
        ]);
      everyHeaders[2] = { authorization: `Bearer ${rotated.body.access_token as string}` };
      return { user, everyHeaders, refreshToken: rotated.body.refresh_token as string };
    }

    function deleteAndErase(userId: string, note: string, thenFail = false): Promise<UserErasureReceipt> {
      return app.get(DataSource).transaction(async (manager) => {
        await manager.query('DELETE FROM fixture_users WHERE id = $1', [userId]);
        const receipt = await app.get(UserErasureService).eraseUser(userId, { manager, note });
        if (thenFail) throw new Error('the host failed after the library wrote');
        return receipt;
      });
    }

    it('should end every session on the next request and delete the sessions, refresh tokens and single sign-on links, leaving other users alone', async () => {
      const { user, everyHeaders, refreshToken } = await userWithData();
      const other = await app.get(FixtureUsers).create(`kept-${randomUUID()}@example.test`, 'correct horse battery staple');
      const otherSession = await signInForTest(app, other);
      await request(server).get('/auth/me').set(otherSession.headers).expect(200);
      expect(await kept(user.id)).toEqual({ sessions: 4, tokens: 2, links: 1, state: 0 });

      const receipt = await deleteAndErase(user.id, 'ticket 4711');
      await receipt.announce();

      expect(receipt.revoked).toBe(3);
      expect(receipt.erased).toEqual({ sessions: 4, refreshTokens: 2, singleSignOnLinks: 1 });
      for (const headers of everyHeaders) {
        const refused = await request(server).get('/auth/me').set(headers).expect(401);
        expect(refused.body).toMatchObject({ code: expect.stringMatching(/^(unauthenticated|session_ended)$/) as unknown });
      }
      await request(server).post('/auth/token/refresh').send({ refresh_token: refreshToken }).expect(401);
      // The epoch row stays (the id and a counter): a sign-in racing the erasure opened its session in the old epoch.
      expect(await kept(user.id)).toEqual({ sessions: 0, tokens: 0, links: 0, state: 1 });
      await request(server).get('/auth/me').set(otherSession.headers).expect(200);
      expect((await kept(other.id)).sessions).toBe(1);

      const events = await app
        .get(DataSource)
        .query<Array<{ type: string; reason: string | null; note: string | null; metadata: Record<string, unknown> }>>(
          `SELECT type, reason, note, metadata FROM auth_audit_events WHERE user_id = $1 AND type IN ('logout_everywhere', 'sessions_erased') ORDER BY seq`,
          [user.id],
        );
      expect(events).toEqual([
        { type: 'logout_everywhere', reason: 'security_concern', note: 'ticket 4711', metadata: { count: 3, keptSessionId: null } },
        { type: 'sessions_erased', reason: null, note: 'ticket 4711', metadata: { sessions: 4, refreshTokens: 2, singleSignOnLinks: 1 } },
      ]);
    });

    it('should erase nothing when the host rolls its delete back', async () => {
      const { user, everyHeaders } = await userWithData();

      await expect(deleteAndErase(user.id, 'rolled back', true)).rejects.toThrow('the host failed after the library wrote');

      expect(await kept(user.id)).toEqual({ sessions: 4, tokens: 2, links: 1, state: 0 });
      for (const headers of everyHeaders) await request(server).get('/auth/me').set(headers).expect(200);
      const [{ count }] = await app
        .get(DataSource)
        .query<Array<{ count: number }>>(`SELECT count(*)::int AS count FROM auth_audit_events WHERE user_id = $1 AND type = 'sessions_erased'`, [user.id]);
      expect(count).toBe(0);
    });

    it('should commit and announce by itself without a manager', async () => {
      const { user, everyHeaders } = await userWithData();

      const receipt = await app.get(UserErasureService).eraseUser(user.id);

      expect(receipt).toMatchObject({ revoked: 3, erased: { sessions: 4, refreshTokens: 2, singleSignOnLinks: 1 } });
      for (const headers of everyHeaders) await request(server).get('/auth/me').set(headers).expect(401);
      expect(await kept(user.id)).toEqual({ sessions: 0, tokens: 0, links: 0, state: 1 });
    });

    it('should end at once the sessions of a user named in upper case, as PostgreSQL matches a UUID in any case', async () => {
      const erased = await userWithData();
      const changed = await userWithSessions();

      const receipt = await app.get(UserErasureService).eraseUser(erased.user.id.toUpperCase());
      const change = await app.get(CredentialsService).credentialsChanged(changed.user.id.toUpperCase(), 'security_concern');

      expect(receipt.erased.sessions).toBe(4);
      expect(change.revoked).toBe(3);
      // Cached on this instance a moment ago: the announcement must name them as the cache knows them.
      for (const headers of [...erased.everyHeaders, ...changed.everyHeaders]) await request(server).get('/auth/me').set(headers).expect(401);
    });

    it('should erase while a refresh holds a token and adds its successor (the lock order a refresh takes), without a deadlock', async () => {
      const { user } = await userWithData();
      const [live] = await app
        .get(DataSource)
        .query<Array<{ id: string; session_id: string }>>(
          `SELECT r.id, r.session_id FROM auth_refresh_tokens r JOIN auth_sessions s ON s.id = r.session_id WHERE s.user_id = $1 AND r.used_at IS NULL`,
          [user.id],
        );
      const refresh = new pg.Client({ connectionString: database.url });
      await refresh.connect();
      try {
        // A refresh in flight: its token locked, then (while the erasure waits) its successor inserted, then its commit.
        await refresh.query('BEGIN');
        await refresh.query('SELECT id FROM auth_refresh_tokens WHERE id = $1 FOR UPDATE', [live.id]);
        const erasing = app.get(UserErasureService).eraseUser(user.id);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await refresh.query('UPDATE auth_refresh_tokens SET used_at = now() WHERE id = $1', [live.id]);
        await refresh.query(`INSERT INTO auth_refresh_tokens (id, session_id, token_hash, parent_id, created_at) VALUES ($1, $2, $3, $4, now())`, [
          randomUUID(),
          live.session_id,
          createHash('sha256').update(randomUUID()).digest(),
          live.id,
        ]);
        await refresh.query('COMMIT');

        const receipt = await erasing;
        expect(receipt.erased).toEqual({ sessions: 4, refreshTokens: 3, singleSignOnLinks: 1 });
      } finally {
        await refresh.end();
      }
      expect(await kept(user.id)).toEqual({ sessions: 0, tokens: 0, links: 0, state: 1 });
    });

    it('should refuse an id that is not a UUID, or a note that is not a short string, and write nothing', async () => {
      const erasure = app.get(UserErasureService);
      const [{ before }] = await app.get(DataSource).query<Array<{ before: number }>>('SELECT count(*)::int AS before FROM auth_audit_events');

      for (const id of ['42', '', null, 42, undefined]) {
        await expect(erasure.eraseUser(id as never)).rejects.toThrow(new RegExp(`a UUID string .*got ${JSON.stringify(id) ?? 'undefined'}`));
      }
      await expect(erasure.eraseUser(randomUUID(), { note: 42 as never })).rejects.toThrow(/note must be a string of at most 1000 characters/);
      await expect(erasure.eraseUser(randomUUID(), { note: 'x'.repeat(1001) })).rejects.toThrow(/note must be a string/);
      await expect(erasure.eraseUser(randomUUID(), null as never)).rejects.toThrow(/options must be an object/);
      await expect(erasure.eraseUser(randomUUID(), { note: 'a\u0000b' })).rejects.toThrow(/without NUL/);
      await expect(erasure.eraseUser(randomUUID(), { manager: app.get(DataSource).manager })).rejects.toThrow(
        /manager must be the EntityManager of an open transaction/,
      );
      await expect(erasure.eraseUser(randomUUID(), { manager: {} as never })).rejects.toThrow(/manager must be the EntityManager of an open transaction/);

      const [{ after }] = await app.get(DataSource).query<Array<{ after: number }>>('SELECT count(*)::int AS after FROM auth_audit_events');
      expect(after).toBe(before);
    });
  });
});
