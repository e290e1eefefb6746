import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient, rawRequest } from '../../../test-support/http-client.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { adminAccount, adminEnv, metricValue, Seeder, signInStale, unknownId } from './support/admin.js';
import { isolated, type Isolated, openEvents, waitFor } from './support/jobs.js';
import { TestDatabase } from './support/database.js';

// Admin sessions count as fresh for 4 s here, so step-up can be tested without long waits.
const FRESH_AGE_SECONDS = 4;
const METRICS_TOKEN = `metrics-${randomBytes(12).toString('hex')}`;

/** Every admin route of the contract, as the OpenAPI document must list them. */
const ADMIN_ROUTES = [
  'DELETE /api/admin/users/{userId}/sessions/{sessionId}',
  'GET /api/admin/audit',
  'GET /api/admin/audit/export',
  'GET /api/admin/overview',
  'GET /api/admin/users',
  'GET /api/admin/users/{userId}',
  'GET /api/admin/users/{userId}/sessions',
  'POST /api/admin/sessions/revoke-by-filter',
  'POST /api/admin/users/{userId}/logout-everywhere',
  'POST /api/admin/users/{userId}/sessions/revoke',
];

function tag(): string {
  return randomBytes(4).toString('hex');
}

describe('admin API (demo app, two instances on their own database)', () => {
  let scope: Isolated;
  let a: ApiProcess;
  let b: ApiProcess;
  let db: TestDatabase;
  let pool: pg.Pool;
  let seed: Seeder;
  const admin = adminAccount();

  beforeAll(async () => {
    scope = isolated('admin');
    // One PUBLIC_ORIGIN for both: it is the access tokens' issuer and audience.
    const env = { ...adminEnv(admin), FRESH_AGE_SECONDS: String(FRESH_AGE_SECONDS), REDIS_PREFIX: scope.redisPrefix, PUBLIC_ORIGIN: 'http://127.0.0.1' };
    // A first (it creates and migrates the database), then B with a metrics token: same data, same Redis.
    a = await startApi({ databaseUrl: scope.databaseUrl, env });
    b = await startApi({ databaseUrl: scope.databaseUrl, env: { ...env, METRICS_TOKEN } });
    db = new TestDatabase(scope.databaseUrl);
    pool = new pg.Pool({ connectionString: scope.databaseUrl, max: 2 });
    pool.on('error', () => undefined);
    seed = new Seeder(pool);
    admin.id = (await db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [admin.email]))[0].id;
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await pool?.end();
    await scope?.drop();
  });

  const signInAdmin = (options: { userAgent?: string } = {}) => signIn(a.url, admin, options);

  describe('authorization', () => {
    it("should list exactly the contract's admin routes in /api/docs-json", async () => {
      const doc = await new BrowserClient(a.url).get('/api/docs-json');
      expect(doc.status).toBe(200);
      expect(adminRoutes(doc.body)).toEqual(ADMIN_ROUTES);
    });

    it('should answer every admin route with 401 anonymous, 403 for a user (cookie or bearer), and neither for an admin (ADM-01)', async () => {
      const routes = adminRoutes((await new BrowserClient(a.url).get('/api/docs-json')).body);
      const target = await registerAccount(a.url, 'target');
      const targetSession = await signIn(a.url, target);
      const user = await signIn(a.url, await registerAccount(a.url, 'plain'));
      const userTokens = (
        await new BrowserClient(a.url).post('/api/auth/token', { json: { email: (await registerAccount(a.url, 'bearer')).email, password: PASSWORD } })
      ).body;
      const request = (route: string) => {
        const [method, template] = route.split(' ') as [string, string];
        const path = template.replace('{userId}', target.id).replace('{sessionId}', unknownId()) + (template.endsWith('/export') ? '?format=ndjson' : '');
        return { method, path, init: { json: bodyFor(route) } };
      };

      for (const route of routes) {
        const { method, path, init } = request(route);
        const anonymous = await new BrowserClient(a.url).request(method, path, init);
        const asUser = await user.browser.request(method, path, init);
        const asBearerUser = await new BrowserClient(a.url).request(method, path, { ...init, bearer: userTokens.access_token });
        expect({ route, status: anonymous.status, code: anonymous.body.code }).toEqual({ route, status: 401, code: 'unauthenticated' });
        expect({ route, status: asUser.status, code: asUser.body.code }).toEqual({ route, status: 403, code: 'forbidden' });
        expect({ route, status: asBearerUser.status, code: asBearerUser.body.code }).toEqual({ route, status: 403, code: 'forbidden' });
      }
      // Nothing a refused caller sent changed anything.
      expect((await targetSession.browser.request('GET', '/api/auth/me')).status).toBe(200);

      const { browser: adminBrowser } = await signInAdmin();
      for (const route of routes) {
        const { method, path, init } = request(route);
        const asAdmin = await adminBrowser.request(method, path, init);
        expect({ route, allowed: asAdmin.status < 500 && asAdmin.status !== 401 && asAdmin.status !== 403 }).toEqual({ route, allowed: true });
      }
    });

    it('should refuse an admin who was demoted at once, session and access token alike (ADM-04)', async () => {
      const account = await registerAccount(a.url, 'deputy');
      await pool.query(`UPDATE users SET roles = '{admin}' WHERE id = $1`, [account.id]);
      const deputy = await signIn(a.url, account);
      const tokens = (await new BrowserClient(a.url).post('/api/auth/token', { json: { email: account.email, password: PASSWORD } })).body;
      expect((await deputy.browser.get('/api/admin/users')).status).toBe(200);
      expect((await new BrowserClient(b.url).get('/api/admin/users', { bearer: tokens.access_token })).status).toBe(200);
      await pool.query(`UPDATE users SET roles = '{}' WHERE id = $1`, [account.id]);
      expect((await deputy.browser.get('/api/admin/users')).status).toBe(403);
      expect((await new BrowserClient(b.url).get('/api/admin/users', { bearer: tokens.access_token })).status).toBe(403);
    });

    it('should offer no way to change or delete an audit event through the API (AUD-05)', async () => {
      const { browser } = await signInAdmin();
      const [event] = await db.query<{ id: string }>('SELECT id FROM auth_audit_events LIMIT 1');
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const response = await browser.request(method, `/api/admin/audit/${event.id}`, { json: { note: 'rewritten' } });
        expect({ method, status: response.status }).toEqual({ method, status: 404 });
      }
    });
  });

  describe('GET /api/admin/users', () => {
    it("should search emails case-insensitively and add each user's active sessions and last activity", async () => {
      const prefix = `zeta-${tag()}`;
      const [busy, idle, never] = await Promise.all([
        registerAccount(a.url, `${prefix}-busy`),
        registerAccount(a.url, `${prefix}-idle`),
        registerAccount(a.url, `${prefix}-never`),
      ]);
      await signIn(a.url, busy);
      const latest = await signIn(a.url, busy);
      const gone = await signIn(a.url, idle);
      await gone.browser.post('/api/auth/logout');
      // An open row past its idle deadline is not active, whatever its row says yet.
      await seed.session(busy.id, { lastActiveAgoSeconds: 7200, idleSeconds: 1800 });
      const { browser } = await signInAdmin();

      const response = await browser.get(`/api/admin/users?search=${prefix.toUpperCase()}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ total: 3, page: 1, pageSize: 20 });
      const byEmail = Object.fromEntries((response.body.items as Array<{ email: string }>).map((item) => [item.email, item]));
      const latestRow = await db.session(latest.sessionId);
      expect(byEmail[busy.email]).toEqual({
        id: busy.id,
        email: busy.email,
        roles: [],
        activeSessions: 2,
        lastActiveAt: (latestRow!['last_active_at'] as Date).toISOString(),
      });
      // Ended sessions still tell when the user was last seen.
      expect(byEmail[idle.email]).toMatchObject({ activeSessions: 0, lastActiveAt: expect.any(String) });
      expect(byEmail[never.email]).toMatchObject({ activeSessions: 0, lastActiveAt: null });
    });

    it('should page through many users without repeats or gaps, ordered by email', async () => {
      const prefix = `bulk-${tag()}`;
      const ids = await seed.users(prefix, 250);
      const { browser } = await signInAdmin();
      const seen: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const response = await browser.get(`/api/admin/users?search=${prefix}&page=${page}&pageSize=100`);
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ total: 250, page, pageSize: 100 });
        seen.push(...(response.body.items as Array<{ id: string }>).map((item) => item.id));
      }
      expect(seen).toEqual(ids);
      const beyond = await browser.get(`/api/admin/users?search=${prefix}&page=4&pageSize=100`);
      expect(beyond.body).toMatchObject({ items: [], total: 250 });
      const defaults = await browser.get(`/api/admin/users?search=${prefix}`);
      expect(defaults.body.items).toHaveLength(20);
    });

    it.each([['/api/admin/overview'], ['/api/admin/users/00000000-0000-4000-8000-000000000000']])(
      'should reject unknown or repeated query parameters on %s with 400',
      async (path) => {
        const { browser } = await signInAdmin();
        for (const query of ['x=1', 'x=1&x=2']) {
          const response = await browser.get(`${path}?${query}`);
          expect(response.status).toBe(400);
          expect(response.body).toMatchObject({ message: ['property x should not exist'] });
        }
      },
    );

    it.each([
      ['page=0'],
      ['page=-1'],
      ['page=1.5'],
      ['page=abc'],
      ['page=1&page=2'],
      ['pageSize=0'],
      ['pageSize=101'],
      ['pageSize=ten'],
      ['unknown=1'],
      ['page='],
      ['pageSize='],
    ])('should reject %s with 400', async (query) => {
      const { browser } = await signInAdmin();
      const response = await browser.get(`/api/admin/users?${query}`);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).not.toMatch(/SELECT|stack/i);
    });
  });

  describe('per-user sessions', () => {
    it("should list a user's sessions and, with ?include=ended, their ended ones with reason and who ended them; the read is audited (ADM-06)", async () => {
      const victim = await registerAccount(a.url, 'victim');
      const phone = await signIn(a.url, victim);
      const laptop = await signIn(a.url, victim);
      const { browser, sessionId: adminSession } = await signInAdmin();
      expect((await browser.delete(`/api/admin/users/${victim.id}/sessions/${phone.sessionId}`, { json: { note: 'lost phone' } })).status).toBe(204);

      const active = await browser.get(`/api/admin/users/${victim.id}/sessions`);
      expect(active.status).toBe(200);
      expect(active.body.sessions.map((session: { id: string }) => session.id)).toEqual([laptop.sessionId]);
      const history = await browser.get(`/api/admin/users/${victim.id}/sessions?include=ended`);
      const ended = history.body.sessions.find((session: { id: string }) => session.id === phone.sessionId);
      expect(ended).toMatchObject({
        endReason: 'revoked_by_admin',
        endedAt: expect.any(String),
        endedBy: { id: admin.id, email: admin.email },
        current: false,
      });
      expect((await browser.get(`/api/admin/users/${victim.id}/sessions?include=all`)).status).toBe(400);

      const reads = (await db.auditEvents(victim.id)).filter((event) => event['type'] === 'admin_sessions_viewed');
      expect(reads).toHaveLength(2);
      expect(reads[0]).toMatchObject({ actor_id: admin.id, session_id: adminSession, metadata: { include: 'active', count: 1 } });
      expect(reads[1]).toMatchObject({ metadata: { include: 'ended' } });
    });

    it('should end one session at once on every instance, tell its event stream, and record the admin and the note (ADM-02, ADM-06)', async () => {
      const victim = await registerAccount(a.url, 'victim');
      const target = await signIn(a.url, victim);
      const other = await signIn(a.url, victim);
      const stream = await openEvents(b.url, { sid: target.browser.cookie('sid')! });
      expect(stream.status).toBe(200);
      const { browser } = await signInAdmin();

      const response = await browser.delete(
        `/api/admin/users/${victim.id}/sessions/${target.sessionId}?note=${encodeURIComponent('account takeover, ticket 17')}`,
      );
      expect(response.status).toBe(204);
      const onB = await new BrowserClient(b.url).request('GET', '/api/auth/me', { headers: { cookie: `sid=${target.browser.cookie('sid')}` } });
      expect(onB.body).toMatchObject({ code: 'session_ended', reason: 'revoked_by_admin' });
      expect(JSON.parse((await stream.next('logout', 2000)).data)).toEqual({ reason: 'revoked_by_admin' });
      stream.close();
      expect((await other.browser.get('/api/auth/me')).status).toBe(200);

      expect(await db.session(target.sessionId)).toMatchObject({ end_reason: 'revoked_by_admin', ended_by_id: admin.id, ended_by_email: admin.email });
      const revoked = (await db.auditEvents(victim.id)).filter((event) => event['type'] === 'session_revoked');
      expect(revoked).toEqual([
        expect.objectContaining({
          actor_id: admin.id,
          actor_email: admin.email,
          user_id: victim.id,
          session_id: target.sessionId,
          reason: 'revoked_by_admin',
          note: 'account takeover, ticket 17',
        }),
      ]);
      // The same session again is no longer active.
      expect((await browser.delete(`/api/admin/users/${victim.id}/sessions/${target.sessionId}`)).status).toBe(404);
    });

    it("should revoke a selection, skipping and not counting ids that are not that user's active sessions (IDOR)", async () => {
      const victim = await registerAccount(a.url, 'victim');
      const bystander = await registerAccount(a.url, 'bystander');
      const [one, two, three] = [await signIn(a.url, victim), await signIn(a.url, victim), await signIn(a.url, victim)];
      const foreign = await signIn(a.url, bystander);
      await one.browser.post('/api/auth/logout');
      const { browser } = await signInAdmin();

      const response = await browser.post(`/api/admin/users/${victim.id}/sessions/revoke`, {
        json: { sessionIds: [one.sessionId, two.sessionId, foreign.sessionId, unknownId()], note: 'cleanup' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ revoked: 1 });
      expect((await two.browser.get('/api/auth/me')).body.reason).toBe('revoked_by_admin');
      expect((await three.browser.get('/api/auth/me')).status).toBe(200);
      expect((await foreign.browser.get('/api/auth/me')).status).toBe(200);
      expect((await db.auditEvents(bystander.id)).filter((event) => event['type'] === 'session_revoked')).toEqual([]);

      for (const body of [{ sessionIds: [] }, { sessionIds: ['nope'] }, { sessionIds: 'x' }, {}, { sessionIds: [unknownId()], note: 5 }]) {
        expect((await browser.post(`/api/admin/users/${victim.id}/sessions/revoke`, { json: body })).status).toBe(400);
      }
    });

    it("should answer another user's session exactly like an unknown one (404), an unknown user with 404 and malformed ids with 400", async () => {
      const victim = await registerAccount(a.url, 'victim');
      const bystander = await signIn(a.url, await registerAccount(a.url, 'bystander'));
      await signIn(a.url, victim);
      const { browser } = await signInAdmin();
      const foreign = await browser.delete(`/api/admin/users/${victim.id}/sessions/${bystander.sessionId}`);
      const unknown = await browser.delete(`/api/admin/users/${victim.id}/sessions/${unknownId()}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(unknown.body);
      expect((await bystander.browser.get('/api/auth/me')).status).toBe(200);

      expect((await browser.get(`/api/admin/users/${unknownId()}/sessions`)).status).toBe(404);
      expect((await browser.post(`/api/admin/users/${unknownId()}/logout-everywhere`)).status).toBe(404);
      expect((await browser.delete(`/api/admin/users/${unknownId()}/sessions/${bystander.sessionId}`)).status).toBe(404);
      expect((await bystander.browser.get('/api/auth/me')).status).toBe(200);
      expect((await browser.get('/api/admin/users/not-a-uuid/sessions')).status).toBe(400);
      expect((await browser.delete(`/api/admin/users/${victim.id}/sessions/42`)).status).toBe(400);
      expect((await browser.post('/api/admin/users/1/logout-everywhere')).status).toBe(400);
    });

    it('should end every session of a user with one logout_everywhere event carrying the count and the note (ADM-02)', async () => {
      const victim = await registerAccount(a.url, 'victim');
      const sessions = [await signIn(a.url, victim), await signIn(a.url, victim), await signIn(a.url, victim)];
      const { browser } = await signInAdmin();
      const response = await browser.post(`/api/admin/users/${victim.id}/logout-everywhere`, { json: { note: 'offboarding' } });
      expect(response.body).toEqual({ revoked: 3 });
      for (const session of sessions) {
        const me = await new BrowserClient(b.url).request('GET', '/api/auth/me', { headers: { cookie: `sid=${session.browser.cookie('sid')}` } });
        expect(me.body).toMatchObject({ code: 'session_ended', reason: 'revoked_by_admin' });
      }
      const events = (await db.auditEvents(victim.id)).filter((event) => event['type'] === 'logout_everywhere');
      expect(events).toEqual([
        expect.objectContaining({ actor_id: admin.id, reason: 'revoked_by_admin', note: 'offboarding', metadata: expect.objectContaining({ count: 3 }) }),
      ]);
      expect((await browser.post(`/api/admin/users/${victim.id}/logout-everywhere`)).body).toEqual({ revoked: 0 });
    });

    it('should need a fresh admin session for every revocation: 403 reauth_required and nothing changes, then work after reauth (ADM-05)', async () => {
      const victim = await registerAccount(a.url, 'victim');
      const session = await signIn(a.url, victim);
      const stale = await signInStale(a.url, admin, FRESH_AGE_SECONDS);
      const attempts: Array<[string, string, unknown]> = [
        ['DELETE', `/api/admin/users/${victim.id}/sessions/${session.sessionId}`, undefined],
        ['POST', `/api/admin/users/${victim.id}/sessions/revoke`, { sessionIds: [session.sessionId] }],
        ['POST', `/api/admin/users/${victim.id}/logout-everywhere`, {}],
        ['POST', '/api/admin/sessions/revoke-by-filter', { userIds: [victim.id], note: 'stale admin' }],
      ];
      for (const [method, path, json] of attempts) {
        const response = await stale.browser.request(method, path, json === undefined ? {} : { json });
        expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 403, code: 'reauth_required' });
      }
      expect((await session.browser.get('/api/auth/me')).status).toBe(200);
      // Reads and dry runs change nothing, so they need no step-up.
      expect((await stale.browser.get(`/api/admin/users/${victim.id}/sessions`)).status).toBe(200);
      expect(
        (await stale.browser.post('/api/admin/sessions/revoke-by-filter', { json: { userIds: [victim.id], dryRun: true, note: 'preview' } })).body,
      ).toEqual({ matched: 1, revoked: 0 });

      expect((await stale.browser.post('/api/auth/reauth', { json: { password: admin.password } })).status).toBe(200);
      expect((await stale.browser.post(`/api/admin/users/${victim.id}/logout-everywhere`)).body).toEqual({ revoked: 1 });
      expect((await session.browser.get('/api/auth/me')).status).toBe(401);
    });
  });

  describe('POST /api/admin/sessions/revoke-by-filter', () => {
    it.each([
      ['no filter', { note: 'x' }],
      ['only an empty user list', { userIds: [], note: 'x' }],
      ['no note', { ip: '203.0.113.7' }],
      ['a blank note', { ip: '203.0.113.7', note: '  ' }],
      ['a malformed IP', { ip: '203.0.113', note: 'x' }],
      ['a malformed time', { createdBefore: 'last week', note: 'x' }],
      ['a malformed user id', { userIds: ['42'], note: 'x' }],
      ['an unknown field', { everyone: true, note: 'x' }],
    ])('should reject %s with 400 and change nothing', async (_label, body) => {
      const { browser } = await signInAdmin();
      const response = await browser.post('/api/admin/sessions/revoke-by-filter', { json: body });
      expect(response.status).toBe(400);
    });

    it('should count each filter on its own in a dry run, then revoke the matches of a combined filter with one summary event and one event per session', async () => {
      const t = tag();
      const [userOne, userTwo] = await seed.users(`filter-${t}`, 2);
      const ip = '198.51.100.77';
      const agent = `FilterBot/${t}`;
      const sessions = {
        ipAndAgent: await seed.session(userOne, { ip, userAgent: `Mozilla/5.0 ${agent}` }),
        ipOnly: await seed.session(userTwo, { ip, userAgent: 'Mozilla/5.0' }),
        agentOnly: await seed.session(userTwo, { userAgent: `curl ${agent.toLowerCase()}` }),
        // Signed in 25 years ago and still active: only these match createdBefore 2002.
        ancient: await seed.session(userOne, { createdAgoSeconds: 25 * 365 * 86400, lastActiveAgoSeconds: 60 }),
        // Last active 25 days ago with a 30-day idle lifetime: only this matches lastActiveBefore 20 days ago.
        dormant: await seed.session(userTwo, { lastActiveAgoSeconds: 25 * 86400, idleSeconds: 30 * 86400 }),
        endedWithIp: await seed.session(userOne, { ip, userAgent: agent, ended: true }),
      };
      const { browser, sessionId: adminSession } = await signInAdmin();
      const dryRun = async (filter: Record<string, unknown>) =>
        (await browser.post('/api/admin/sessions/revoke-by-filter', { json: { ...filter, dryRun: true, note: 'preview' } })).body;

      expect(await dryRun({ ip })).toEqual({ matched: 2, revoked: 0 });
      // Recorded IPs never keep the IPv4-mapped IPv6 form a dual-stack socket reports; the filter reads it the same way.
      expect(await dryRun({ ip: `::ffff:${ip}` })).toEqual({ matched: 2, revoked: 0 });
      expect(await dryRun({ ip: `::FFFF:${ip}` })).toEqual({ matched: 2, revoked: 0 });
      expect(await dryRun({ userAgentContains: agent.toUpperCase() })).toEqual({ matched: 2, revoked: 0 });
      expect(await dryRun({ userAgentContains: '%' })).toEqual({ matched: 0, revoked: 0 });
      expect(await dryRun({ createdBefore: '2002-01-01T00:00:00Z' })).toEqual({ matched: 1, revoked: 0 });
      expect(await dryRun({ lastActiveBefore: new Date(Date.now() - 20 * 86400_000).toISOString() })).toEqual({ matched: 1, revoked: 0 });
      expect(await dryRun({ userIds: [userOne, userTwo] })).toEqual({ matched: 5, revoked: 0 });
      expect(await dryRun({ userIds: [userTwo], ip })).toEqual({ matched: 1, revoked: 0 });
      expect((await db.session(sessions.ipOnly))!['ended_at']).toBeNull();

      const note = `Credential stuffing from ${ip} (incident ${t})`;
      const applied = await browser.post('/api/admin/sessions/revoke-by-filter', { json: { ip, userIds: [userOne, userTwo], note } });
      expect(applied.status).toBe(200);
      expect(applied.body).toEqual({ matched: 2, revoked: 2 });
      for (const id of [sessions.ipAndAgent, sessions.ipOnly]) {
        expect(await db.session(id)).toMatchObject({ end_reason: 'revoked_by_admin', ended_by_id: admin.id });
      }
      for (const id of [sessions.agentOnly, sessions.ancient, sessions.dormant]) expect((await db.session(id))!['ended_at']).toBeNull();
      expect((await db.session(sessions.endedWithIp))!['end_reason']).toBe('logout');

      const summary = await db.query(`SELECT * FROM auth_audit_events WHERE type = 'sessions_revoked_by_filter' AND note = $1`, [note]);
      expect(summary).toEqual([
        expect.objectContaining({
          actor_id: admin.id,
          user_id: null,
          session_id: null,
          reason: 'revoked_by_admin',
          metadata: { filter: { ip, userIds: [userOne, userTwo] }, count: 2 },
        }),
      ]);
      const perSession = await db.query(`SELECT user_id, session_id, reason, actor_id FROM auth_audit_events WHERE type = 'session_revoked' AND note = $1`, [
        note,
      ]);
      expect(perSession).toHaveLength(2);
      expect(perSession).toEqual(
        expect.arrayContaining([
          { user_id: userOne, session_id: sessions.ipAndAgent, reason: 'revoked_by_admin', actor_id: admin.id },
          { user_id: userTwo, session_id: sessions.ipOnly, reason: 'revoked_by_admin', actor_id: admin.id },
        ]),
      );
      expect(await dryRun({ ip })).toEqual({ matched: 0, revoked: 0 });
      expect((await db.query('SELECT 1 FROM auth_sessions WHERE id = $1 AND ended_at IS NULL', [adminSession])).length).toBe(1);
    });

    it("should never match the calling admin's own session, and end real signed-in sessions everywhere", async () => {
      const agent = `Console/${tag()}`;
      const other = await signInAdmin({ userAgent: `Mozilla/5.0 ${agent}` });
      const current = await signInAdmin({ userAgent: `Mozilla/5.0 ${agent}` });
      const user = await registerAccount(a.url, 'filtered');
      const userSession = await signIn(a.url, user, { userAgent: `Mozilla/5.0 ${agent}` });

      const dry = await current.browser.post('/api/admin/sessions/revoke-by-filter', { json: { userAgentContains: agent, dryRun: true, note: 'preview' } });
      expect(dry.body).toEqual({ matched: 2, revoked: 0 });
      const applied = await current.browser.post('/api/admin/sessions/revoke-by-filter', { json: { userAgentContains: agent, note: 'rotate consoles' } });
      expect(applied.body).toEqual({ matched: 2, revoked: 2 });
      expect((await current.browser.get('/api/auth/me')).status).toBe(200);
      expect((await other.browser.get('/api/auth/me')).body).toMatchObject({ code: 'session_ended', reason: 'revoked_by_admin' });
      const onB = await new BrowserClient(b.url).request('GET', '/api/auth/me', { headers: { cookie: `sid=${userSession.browser.cookie('sid')}` } });
      expect(onB.body).toMatchObject({ code: 'session_ended', reason: 'revoked_by_admin' });
    });
  });

  describe('operations', () => {
    it('should serve the OpenAPI UI and a document with examples for the admin DTOs', async () => {
      const ui = await new BrowserClient(a.url).get('/api/docs');
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toMatch(/text\/html/);
      const doc = (await new BrowserClient(a.url).get('/api/docs-json')).body;
      for (const route of ADMIN_ROUTES) {
        const [method, path] = route.split(' ') as [string, string];
        expect({ route, summary: typeof doc.paths[path][method.toLowerCase()].summary }).toEqual({ route, summary: 'string' });
      }
      // /metrics is served on the HTTP adapter (outside the /api prefix), not by a controller: it is not an API operation.
      expect(doc.paths['/metrics']).toBeUndefined();
      expect(doc.components.schemas.RevokeByFilterDto.properties.note.example).toEqual(expect.any(String));
      expect(doc.components.schemas.RevokeByFilterDto.required).toEqual(['note']);
      expect(doc.components.schemas.AuditEventDto.properties.reason.example).toBe('revoked_by_admin');
      expect(doc.components.schemas.AdminUsersPageDto.properties.items.items.$ref).toMatch(/AdminUserDto$/);
    });

    it('should expose Prometheus metrics: active sessions, ends by reason, logout latency, jobs by state, unsealed audit events, process', async () => {
      const user = await registerAccount(a.url, 'metrics');
      const session = await signIn(a.url, user);
      const revoked = await signIn(a.url, user);
      expect((await session.browser.post('/api/auth/logout')).status).toBe(200);
      const { browser } = await signInAdmin();
      expect((await browser.delete(`/api/admin/users/${user.id}/sessions/${revoked.sessionId}`)).status).toBe(204);
      const response = await new BrowserClient(a.url).get('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = response.body as string;
      expect(metricValue(text, 'signoff_active_sessions')).toBeGreaterThan(0);
      expect(metricValue(text, 'signoff_sessions_ended_total', '{reason="revoked_by_admin"}')).toBeGreaterThan(0);
      expect(metricValue(text, 'signoff_sessions_ended_total', '{reason="logout"}')).toBeGreaterThanOrEqual(1);
      expect(metricValue(text, 'signoff_logout_duration_seconds_count', '{route="logout",status="200"}')).toBeGreaterThanOrEqual(1);
      expect(metricValue(text, 'signoff_jobs', '{state="completed"}')).toBeGreaterThan(0);
      expect(metricValue(text, 'signoff_jobs', '{state="failed"}')).toBe(0);
      expect(metricValue(text, 'signoff_audit_unsealed_events')).toEqual(expect.any(Number));
      expect(metricValue(text, 'process_cpu_user_seconds_total')).toEqual(expect.any(Number));
    });

    it('should require METRICS_TOKEN as a bearer when it is set, compared exactly', async () => {
      const client = new BrowserClient(b.url);
      for (const bearer of [undefined, '', 'wrong', METRICS_TOKEN.slice(0, -1), `${METRICS_TOKEN}x`]) {
        const response = await client.get('/metrics', bearer === undefined ? {} : { bearer });
        expect({ bearer, status: response.status }).toEqual({ bearer, status: 401 });
        expect(response.body).toMatchObject({ code: 'unauthenticated' });
      }
      // Two Authorization lines are ambiguous (Node would keep the first): refused, whichever comes first.
      for (const authorization of [
        [`Bearer ${METRICS_TOKEN}`, 'Bearer wrong'],
        ['Bearer wrong', `Bearer ${METRICS_TOKEN}`],
        [`Bearer ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}`],
      ]) {
        const repeated = await rawRequest(b.url, 'GET', '/metrics', { authorization });
        expect({ authorization, status: repeated.status }).toEqual({ authorization, status: 401 });
        expect(repeated.body).toMatchObject({ code: 'unauthenticated' });
      }
      const allowed = await client.get('/metrics', { bearer: METRICS_TOKEN });
      expect(allowed.status).toBe(200);
      expect(allowed.body).toContain('signoff_active_sessions');
      await waitFor(
        'the sealer to catch up',
        async () => metricValue((await client.get('/metrics', { bearer: METRICS_TOKEN })).body, 'signoff_audit_unsealed_events') === 0,
        15_000,
        250,
      );
    });
  });
});

/** `METHOD /path` of every operation under /api/admin in an OpenAPI document, sorted. */
function adminRoutes(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/admin'))
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

// A well-formed body per route, so the admin's answer is about authorization, not validation.
function bodyFor(route: string): unknown {
  if (route.endsWith('/sessions/revoke')) return { sessionIds: [unknownId()], note: 'authorization probe' };
  if (route.endsWith('/revoke-by-filter')) return { userIds: [unknownId()], note: 'authorization probe' };
  if (route.startsWith('GET')) return undefined;
  return { note: 'authorization probe' };
}
