import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import type { SignoffUser } from '@signoff/auth-sessions';
import { assertSessionEnded, assertSessionEndedResponse, runRetentionJobForTest, sessionStateForTest, signInForTest } from '@signoff/auth-sessions/testing';
import { createApp, type HttpPlatform } from '../src/app.factory.js';
import { UsersService } from '../src/users/users.service.js';

/** A fetch that keeps the answer's status, JSON body and Set-Cookie headers. */
async function call(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  // Nest answers JSON; a path outside the global prefix gets the HTTP platform's own 404 page.
  const isJson = response.headers.get('content-type')?.includes('application/json') === true;
  return { status: response.status, body: isJson && text ? (JSON.parse(text) as Record<string, unknown>) : null, cookies: response.headers.getSetCookie() };
}

/** The `Cookie` header and XSRF value a browser would send back after these Set-Cookie headers. */
function browserCookies(setCookies: string[]): { cookie: string; xsrf: string } {
  const pairs = setCookies.map((header) => header.split(';')[0]);
  const xsrf = pairs.find((pair) => pair.startsWith('XSRF-TOKEN='))?.slice('XSRF-TOKEN='.length);
  assert.ok(pairs.some((pair) => pair.startsWith('sid=')) && xsrf, `expected sid and XSRF-TOKEN cookies, got ${JSON.stringify(setCookies)}`);
  return { cookie: pairs.join('; '), xsrf };
}

for (const platform of ['express', 'fastify'] satisfies HttpPlatform[]) {
  describe(`the host app on ${platform}, built from the packed library`, () => {
    const tag = randomUUID().slice(0, 8);
    const password = 'correct horse battery staple';
    let app: INestApplication;
    let base: string;
    let member: SignoffUser;
    let admin: SignoffUser;

    before(async () => {
      app = await createApp(platform);
      await app.listen(0, '127.0.0.1');
      base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const users = app.get(UsersService);
      member = await users.create({ email: `member-${tag}@example.test`, username: `member-${tag}`, password });
      admin = await users.create({ email: `admin-${tag}@example.test`, username: `admin-${tag}`, password, roles: ['admin'] });
    });

    after(async () => {
      await app?.close();
    });

    it("signs in through the host's own strategy, serves a host route, logs out, then answers 401 session_ended", async () => {
      const signIn = await call(`${base}/api/account/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `member-${tag}`, password }),
      });
      assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
      assert.deepEqual(signIn.body?.['user'], { id: member.id, email: member.email, roles: [] });
      const browser = browserCookies(signIn.cookies);

      const projects = await call(`${base}/api/projects`, { headers: { cookie: browser.cookie } });
      assert.equal(projects.status, 200);
      assert.equal(projects.body?.['owner'], member.email);

      const logout = await call(`${base}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie: browser.cookie, 'x-xsrf-token': browser.xsrf, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(logout.status, 200);

      assertSessionEndedResponse(await call(`${base}/api/projects`, { headers: { cookie: browser.cookie } }), 'logout');
      await assertSessionEnded(app, String(projects.body?.['sessionId']), 'logout');
    });

    it("refuses a wrong password on the host's strategy with 401 and no cookie", async () => {
      const signIn = await call(`${base}/api/account/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `member-${tag}`, password: 'not the password' }),
      });
      assert.equal(signIn.status, 401);
      assert.deepEqual(signIn.cookies, []);
    });

    it('refuses credentials in the query string (they would end up in access logs), even the right ones', async () => {
      const query = new URLSearchParams({ username: `member-${tag}`, password });
      const signIn = await call(`${base}/api/account/sign-in?${query.toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(signIn.status, 401);
      assert.deepEqual(signIn.cookies, []);
    });

    it("serves the host's routes to a bearer token from the library's /auth/token, until the session is revoked", async () => {
      const token = await call(`${base}/api/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: member.email, password }),
      });
      assert.equal(token.status, 200, JSON.stringify(token.body));
      const authorization = `Bearer ${String(token.body?.['access_token'])}`;

      assert.equal((await call(`${base}/api/projects`, { headers: { authorization } })).status, 200);

      const revoke = await call(`${base}/api/auth/token/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: token.body?.['refresh_token'] }),
      });
      assert.equal(revoke.status, 200);
      assertSessionEndedResponse(await call(`${base}/api/projects`, { headers: { authorization } }), 'logout');
    });

    it("answers a wrong type on a library route with 400 behind the host's converting ValidationPipe, and ends nothing", async () => {
      const session = await signInForTest(app, member);
      for (const keepCurrent of ['', 'true', 1]) {
        const answer = await call(`${base}/api/auth/logout-all`, {
          method: 'POST',
          headers: { ...session.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ keepCurrent }),
        });
        assert.equal(answer.status, 400, `keepCurrent ${JSON.stringify(keepCurrent)}: ${JSON.stringify(answer.body)}`);
      }
      assert.equal((await call(`${base}/api/auth/me`, { headers: session.headers })).status, 200);
    });

    it('enforces @Roles on host routes: 403 for a member, 200 for an admin, 401 for nobody', async () => {
      const memberSession = await signInForTest(app, member);
      const adminSession = await signInForTest(app, admin);

      const forbidden = await call(`${base}/api/projects/report`, { headers: memberSession.headers });
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body?.['code'], 'forbidden');
      const allowed = await call(`${base}/api/projects/report`, { headers: adminSession.headers });
      assert.equal(allowed.status, 200);
      assert.deepEqual(allowed.body, { reportFor: admin.email });
      assert.equal((await call(`${base}/api/projects/report`)).status, 401);
    });

    it('lets a test sign a user in with the test kit and see the session end when the user logs out everywhere', async () => {
      const first = await signInForTest(app, member);
      const second = await signInForTest(app, member);

      const everywhere = await call(`${base}/api/auth/logout-all`, {
        method: 'POST',
        headers: { ...first.headers, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(everywhere.status, 200, JSON.stringify(everywhere.body));

      await assertSessionEnded(app, first.sessionId, 'logout_everywhere');
      await assertSessionEnded(app, second.sessionId, 'logout_everywhere');
      assertSessionEndedResponse(await call(`${base}/api/projects`, { headers: second.headers }), 'logout_everywhere');
    });

    it('deletes a logged-out session once it is past the retention (the daily prune, run now by the test kit)', async () => {
      const session = await signInForTest(app, member);
      const logout = await call(`${base}/api/auth/logout`, { method: 'POST', headers: { ...session.headers, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(logout.status, 200, JSON.stringify(logout.body));

      assert.deepEqual(await runRetentionJobForTest(app), { sessions: 0, refreshTokens: 0, outboxEntries: 0 }, 'nothing is 90 days old yet');
      const later = await runRetentionJobForTest(app, new Date(Date.now() + 91 * 86_400_000));
      assert.ok(later && later.sessions >= 1, JSON.stringify(later));
      assert.equal(await sessionStateForTest(app, session.sessionId), null);
    });

    it('closes an account: the host deletes the user, the library ends every session and erases their session data', async () => {
      const leaving = await app.get(UsersService).create({ email: `leaving-${tag}@example.test`, username: `leaving-${tag}`, password });
      const other = await signInForTest(app, leaving);
      const session = await signInForTest(app, leaving);
      assert.equal((await call(`${base}/api/projects`, { headers: other.headers })).status, 200);

      const closed = await call(`${base}/api/account`, { method: 'DELETE', headers: session.headers });
      assert.equal(closed.status, 204, JSON.stringify(closed.body));

      for (const headers of [session.headers, other.headers]) assert.equal((await call(`${base}/api/projects`, { headers })).status, 401);
      assert.equal(await sessionStateForTest(app, other.sessionId), null, 'the session row is deleted, not only ended');
      assert.equal(await app.get(UsersService).findById(leaving.id), null);
      assert.equal(
        (await call(`${base}/api/projects`, { headers: (await signInForTest(app, member)).headers })).status,
        200,
        'other users keep their sessions',
      );
    });

    it('keeps metrics off without a token, and never under the global prefix', async () => {
      assert.equal((await call(`${base}/metrics`)).status, 404);
      assert.equal((await call(`${base}/api/metrics`)).status, 404);
    });
  });
}
