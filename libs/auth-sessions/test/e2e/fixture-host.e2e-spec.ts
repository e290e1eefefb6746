import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { SignoffUser } from '@signoff/auth-sessions';
import type { Server } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { createFixtureHost, FIXTURE_PUBLIC_ORIGIN } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';
import { parseSetCookies } from '../fixtures/set-cookie.js';

const FIREFOX_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** One browser's cookies after a sign-in or a rotation. */
interface Browser {
  sid: string;
  xsrf: string;
  cookie: string;
  sessionId: string;
}

describe.each(['express', 'fastify'] as const)('AuthSessionsModule in a host with its own SSO strategy (forRootAsync), on %s', (platform) => {
  const environment = fixtureEnvironment();
  const redisPrefix = `${environment.redisPrefix}:${platform}:fixture`;
  // Every secret the server handed out in this file; none may ever reach the audit log.
  const issuedSecrets = new Set<string>();
  let database: FixtureDatabase;
  let app: INestApplication;
  let server: Server;
  let dataSource: DataSource;
  let ada: SignoffUser;
  let grace: SignoffUser;

  beforeAll(async () => {
    database = await createFixtureDatabase(environment);
    app = await createFixtureHost(
      { databaseUrl: database.url, redisUrl: environment.redisUrl, redisPrefix: `${environment.redisPrefix}:${platform}` },
      platform,
    );
    server = app.getHttpServer() as Server;
    dataSource = app.get(DataSource);
    const users = app.get(FixtureUsers);
    ada = await users.create('ada@example.test', 'correct horse battery staple');
    grace = await users.create('grace@example.test', 'another long passphrase', ['admin']);
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await deleteRedisKeys(environment.redisUrl, redisPrefix);
  });

  function browserFrom(setCookie: string | string[] | undefined, sessionId: string): Browser {
    const cookies = parseSetCookies(setCookie);
    const sid = cookies.get('sid')?.value;
    const xsrf = cookies.get('XSRF-TOKEN')?.value;
    if (!sid || !xsrf) throw new Error(`expected sid and XSRF-TOKEN cookies, got ${JSON.stringify(setCookie)}`);
    issuedSecrets.add(sid);
    issuedSecrets.add(xsrf);
    return { sid, xsrf, cookie: `sid=${sid}; XSRF-TOKEN=${xsrf}`, sessionId };
  }

  async function signInAs(email: string): Promise<Browser> {
    const response = await request(server).post('/sso/callback').set('X-Fake-SSO-User', email).set('User-Agent', FIREFOX_ON_LINUX).expect(200);
    return browserFrom(response.headers['set-cookie'], (response.body as { session: { id: string } }).session.id);
  }

  describe('POST /sso/callback (a custom passport strategy ending in completeSignIn)', () => {
    it("should answer the contract's login body and set both cookies with the contract's attributes", async () => {
      const response = await request(server).post('/sso/callback').set('X-Fake-SSO-User', 'Ada@Example.test').expect(200);

      expect(response.body).toEqual({
        user: { id: ada.id, email: 'ada@example.test', roles: [] },
        session: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), expiresAt: expect.any(String) },
      });
      const cookies = parseSetCookies(response.headers['set-cookie']);
      const sid = cookies.get('sid');
      const xsrf = cookies.get('XSRF-TOKEN');
      expect(sid?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // No Max-Age and no Expires: without rememberMe the cookie dies with the browser.
      expect(sid?.attributes).toEqual({ path: '/', httponly: true, samesite: 'Lax' });
      expect(xsrf?.value).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(xsrf?.attributes).toEqual({ path: '/', samesite: 'Lax' });
      browserFrom(response.headers['set-cookie'], (response.body as { session: { id: string } }).session.id);
    });

    it('should answer 401 and set no cookie when the strategy does not accept the user', async () => {
      const response = await request(server).post('/sso/callback').set('X-Fake-SSO-User', 'nobody@example.test').expect(401);

      expect(response.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('GET /fixture/whoami (an ordinary protected host route)', () => {
    it('should answer with @CurrentUser() and @CurrentSession() for the session cookie, never cached', async () => {
      const browser = await signInAs('ada@example.test');

      const response = await request(server).get('/fixture/whoami').set('Cookie', browser.cookie).expect(200);

      expect(response.body).toEqual({ user: { id: ada.id, email: 'ada@example.test', roles: [] }, sessionId: browser.sessionId });
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it("should answer 401 'unauthenticated' without a session cookie", async () => {
      const response = await request(server).get('/fixture/whoami').expect(401);

      expect(response.body).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
    });

    it("should answer 401 'unauthenticated' for a well-formed token that was never issued", async () => {
      const response = await request(server)
        .get('/fixture/whoami')
        .set('Cookie', `sid=${'A'.repeat(43)}`)
        .expect(401);

      expect(response.body).toMatchObject({ code: 'unauthenticated' });
    });
  });

  describe('GET /auth/sessions (the library controller in the host)', () => {
    it('should list the session as the current device, with neither token nor hash', async () => {
      const browser = await signInAs('ada@example.test');

      const response = await request(server).get('/auth/sessions').set('Cookie', browser.cookie).expect(200);

      const sessions = (response.body as { sessions: Array<{ id: string; current: boolean }> }).sessions;
      expect(sessions.filter((session) => session.current)).toEqual([
        expect.objectContaining({ id: browser.sessionId, current: true, device: { browser: 'Firefox 133', os: 'Linux', type: 'desktop' } }),
      ]);
      const hash = createHash('sha256').update(browser.sid).digest();
      for (const secret of [browser.sid, hash.toString('hex'), hash.toString('base64'), hash.toString('base64url')]) {
        expect(response.text).not.toContain(secret);
      }
    });
  });

  describe('a signed-in host route marked @RequireSameOrigin()', () => {
    it('should still need the X-XSRF-TOKEN header from a cookie (403), and refuse a foreign Origin even with it', async () => {
      const browser = await signInAs('ada@example.test');

      for (const origin of [undefined, FIXTURE_PUBLIC_ORIGIN]) {
        const call = request(server).post('/fixture/hardened').set('Cookie', browser.cookie);
        const refused = await (origin ? call.set('Origin', origin) : call).send({}).expect(403);
        expect(refused.body).toMatchObject({ code: 'csrf_token_invalid' });
      }
      const foreign = await request(server)
        .post('/fixture/hardened')
        .set('Cookie', browser.cookie)
        .set('X-XSRF-TOKEN', browser.xsrf)
        .set('Origin', 'https://evil.example')
        .send({})
        .expect(403);
      expect(foreign.body).toMatchObject({ code: 'origin_not_allowed' });
      const done = await request(server).post('/fixture/hardened').set('Cookie', browser.cookie).set('X-XSRF-TOKEN', browser.xsrf).send({}).expect(200);
      expect(done.body).toEqual({ changedBy: 'ada@example.test' });
    });
  });

  describe('POST /auth/logout', () => {
    it('should answer 403 without the X-XSRF-TOKEN header and leave the session standing', async () => {
      const browser = await signInAs('ada@example.test');

      const response = await request(server).post('/auth/logout').set('Cookie', browser.cookie).send({}).expect(403);

      expect(response.body).toMatchObject({ code: 'csrf_token_invalid' });
      await request(server).get('/fixture/whoami').set('Cookie', browser.cookie).expect(200);
    });

    it("should end the session, clear both cookies, and make the old cookie 401 with reason 'logout'", async () => {
      const browser = await signInAs('ada@example.test');

      const response = await request(server).post('/auth/logout').set('Cookie', browser.cookie).set('X-XSRF-TOKEN', browser.xsrf).send({}).expect(200);

      expect(response.body).toEqual({ redirectTo: '/login?logged_out=1' });
      expect(response.headers['clear-site-data']).toBe('"cache", "cookies", "storage"');
      expect(response.headers['cache-control']).toBe('no-store');
      const cleared = parseSetCookies(response.headers['set-cookie']);
      expect(cleared.get('sid')).toMatchObject({ value: '', attributes: { path: '/', httponly: true, samesite: 'Lax', 'max-age': '0' } });
      expect(cleared.get('XSRF-TOKEN')).toMatchObject({ value: '', attributes: { path: '/', samesite: 'Lax', 'max-age': '0' } });

      const after = await request(server).get('/fixture/whoami').set('Cookie', browser.cookie).expect(401);

      expect(after.body).toMatchObject({ statusCode: 401, code: 'session_ended', reason: 'logout' });
    });
  });

  describe('POST /sso/step-up (the host calls markFresh after its own re-check)', () => {
    it('should rotate the cookie: same session id, the old cookie 401 unauthenticated, the new one works', async () => {
      const before = await signInAs('ada@example.test');

      const response = await request(server)
        .post('/sso/step-up')
        .set('Cookie', before.cookie)
        .set('X-XSRF-TOKEN', before.xsrf)
        .set('X-Fake-SSO-User', 'ada@example.test')
        .expect(200);

      expect(response.body).toMatchObject({ session: { id: before.sessionId } });
      const after = browserFrom(response.headers['set-cookie'], before.sessionId);
      expect(after.sid).not.toBe(before.sid);
      expect(after.xsrf).not.toBe(before.xsrf);

      const old = await request(server).get('/fixture/whoami').set('Cookie', before.cookie).expect(401);
      expect(old.body).toMatchObject({ code: 'unauthenticated' });
      const fresh = await request(server).get('/fixture/whoami').set('Cookie', after.cookie).expect(200);
      expect(fresh.body).toMatchObject({ sessionId: before.sessionId });
    });

    it('should change nothing when the re-check fails', async () => {
      const browser = await signInAs('ada@example.test');

      await request(server)
        .post('/sso/step-up')
        .set('Cookie', browser.cookie)
        .set('X-XSRF-TOKEN', browser.xsrf)
        .set('X-Fake-SSO-User', 'grace@example.test')
        .expect(403);

      await request(server).get('/fixture/whoami').set('Cookie', browser.cookie).expect(200);
    });
  });

  describe('GET /fixture/admin (@Roles("admin"))', () => {
    it('should answer 403 to a user without the role', async () => {
      const browser = await signInAs('ada@example.test');

      const response = await request(server).get('/fixture/admin').set('Cookie', browser.cookie).expect(403);

      expect(response.body).toMatchObject({ statusCode: 403, code: 'forbidden' });
    });

    it('should answer 200 to an admin', async () => {
      const browser = await signInAs('grace@example.test');

      const response = await request(server).get('/fixture/admin').set('Cookie', browser.cookie).expect(200);

      expect(response.body).toEqual({ admin: grace.email });
    });

    it('should answer 401 to an anonymous caller', async () => {
      await request(server).get('/fixture/admin').expect(401);
    });
  });

  describe('the audit log', () => {
    it("should hold a 'login' event for the user signed in through the custom strategy", async () => {
      const browser = await signInAs('grace@example.test');

      const rows: Array<{ type: string; actor_id: string; session_id: string }> = await dataSource.query(
        `SELECT type, actor_id, session_id FROM auth_audit_events WHERE user_id = $1 AND type = 'login' AND session_id = $2`,
        [grace.id, browser.sessionId],
      );

      expect(rows).toEqual([{ type: 'login', actor_id: grace.id, session_id: browser.sessionId }]);
    });

    it('should never contain a session token, an XSRF value or the SHA-256 of a token in any column', async () => {
      const browser = await signInAs('ada@example.test');
      const stepUp = await request(server)
        .post('/sso/step-up')
        .set('Cookie', browser.cookie)
        .set('X-XSRF-TOKEN', browser.xsrf)
        .set('X-Fake-SSO-User', 'ada@example.test')
        .expect(200);
      const rotated = browserFrom(stepUp.headers['set-cookie'], browser.sessionId);
      await request(server).post('/auth/logout').set('Cookie', rotated.cookie).set('X-XSRF-TOKEN', rotated.xsrf).send({}).expect(200);

      const rows: Array<{ type: string; row: string }> = await dataSource.query(`SELECT e.type, row_to_json(e)::text AS row FROM auth_audit_events e`);

      expect(rows.map((row) => row.type)).toEqual(expect.arrayContaining(['login', 'logout']));
      const forbidden = [...issuedSecrets].flatMap((secret) => {
        const hash = createHash('sha256').update(secret).digest();
        return [secret, hash.toString('hex'), hash.toString('base64'), hash.toString('base64url')];
      });
      expect(forbidden.length).toBeGreaterThanOrEqual(4 * 4);
      const leaks = rows.filter((row) => forbidden.some((secret) => row.row.includes(secret)));
      expect(leaks).toEqual([]);
    });
  });
});
