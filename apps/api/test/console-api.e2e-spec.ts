import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { type Account, registerAccount, signIn } from './support/accounts.js';
import { adminAccount, adminEnv, unknownId } from './support/admin.js';
import { isolated, type Isolated } from './support/jobs.js';

// The API the console's pages stand on: places (through TRUST_PROXY), one user by id, the audit log by
// email with each event's user, the admin overview, and whether registration is open. Its own database,
// so the overview's numbers are exactly what this file wrote.

const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1';

describe('the console API (own database, TRUST_PROXY=1)', () => {
  let scope: Isolated;
  let api: ApiProcess;
  let pool: pg.Pool;
  const admin = adminAccount();

  beforeAll(async () => {
    scope = isolated('console');
    api = await startApi({ databaseUrl: scope.databaseUrl, env: { ...adminEnv(admin), TRUST_PROXY: '1', REDIS_PREFIX: scope.redisPrefix } });
    pool = new pg.Pool({ connectionString: scope.databaseUrl, max: 2 });
    pool.on('error', () => undefined);
    admin.id = (await pool.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [admin.email])).rows[0].id;
  });

  afterAll(async () => {
    await api?.stop();
    await pool?.end();
    await scope?.drop();
  });

  /** Signs in as if from `ip`: one proxy hop is trusted, so X-Forwarded-For names the client. */
  async function signInFrom(account: Account, ip: string, userAgent?: string): Promise<BrowserClient> {
    const browser = new BrowserClient(api.url, userAgent ? { userAgent } : {});
    const response = await browser.post('/api/auth/login', { json: { email: account.email, password: account.password }, headers: { 'X-Forwarded-For': ip } });
    expect(response.status).toBe(200);
    return browser;
  }

  describe('places', () => {
    it('should give each session a coarse place for its public address, "Local network" for a private one, and none when unknown', async () => {
      const account = await registerAccount(api.url, 'traveller');
      const mountainView = await signInFrom(account, '8.8.8.8');
      await signInFrom(account, '193.0.0.1', SAFARI_IPHONE);
      await signInFrom(account, '192.168.1.20');
      await signInFrom(account, '203.0.113.9');

      const { sessions } = (await mountainView.get('/api/auth/sessions')).body as { sessions: Array<{ ip: string; location?: string }> };
      const byIp = Object.fromEntries(sessions.map((session) => [session.ip, session.location ?? null]));
      expect(byIp).toEqual({
        '8.8.8.8': 'Mountain View, California, United States',
        '193.0.0.1': 'Amsterdam, North Holland, Netherlands',
        '192.168.1.20': 'Local network',
        // A documentation address is in no database: no place rather than a guess.
        '203.0.113.9': null,
      });
      const stored = await pool.query<{ location: string | null }>('SELECT location FROM auth_sessions WHERE user_id = $1 AND ip = $2', [
        account.id,
        '8.8.8.8',
      ]);
      expect(stored.rows).toEqual([{ location: 'Mountain View, California, United States' }]);

      const { browser } = await signIn(api.url, admin);
      const asAdmin = await browser.get(`/api/admin/users/${account.id}/sessions`);
      expect((asAdmin.body.sessions as Array<{ ip: string; location?: string }>).find((session) => session.ip === '193.0.0.1')?.location).toBe(
        'Amsterdam, North Holland, Netherlands',
      );
    });

    // A trusted X-Forwarded-For is text anyone on the path wrote: the adapter hands it over as req.ip
    // whatever it is. It was stored as the session's and the audit event's address (sixth trial).
    it("should record the peer's address when the forwarded one is not an IP address", async () => {
      const account = await registerAccount(api.url, 'forged');
      for (const forged of ['<b>hi</b>', 'x'.repeat(100), '10.90.24271.1', '8.8.8.8.8']) await signInFrom(account, forged);
      await signInFrom(account, ' 2001:db8::7 ');

      const sessions = await pool.query<{ ip: string }>('SELECT ip FROM auth_sessions WHERE user_id = $1 ORDER BY created_at', [account.id]);
      expect(sessions.rows.map((row) => row.ip)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1', '2001:db8::7']);
      const logins = await pool.query<{ ip: string }>(`SELECT ip FROM auth_audit_events WHERE user_id = $1 AND type = 'login' ORDER BY seq`, [account.id]);
      expect(logins.rows.map((row) => row.ip)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1', '2001:db8::7']);
    });

    it('should call a loopback client "Local network" when no proxy header is sent', async () => {
      const account = await registerAccount(api.url, 'local');
      const { browser } = await signIn(api.url, account);
      expect((await browser.get('/api/auth/sessions')).body.sessions[0].location).toBe('Local network');
    });
  });

  describe('GET /api/admin/users/:userId', () => {
    it('should answer 401 anonymous, 403 for a user, 400 for a malformed id, 404 for an unknown user, 200 for an admin', async () => {
      const target = await registerAccount(api.url, 'target');
      const user = await signIn(api.url, await registerAccount(api.url, 'plain'));
      const { browser } = await signIn(api.url, admin);
      const path = `/api/admin/users/${target.id}`;

      expect((await new BrowserClient(api.url).get(path)).body).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
      expect((await user.browser.get(path)).body).toMatchObject({ statusCode: 403, code: 'forbidden' });
      expect((await browser.get('/api/admin/users/not-a-uuid')).status).toBe(400);
      expect((await browser.get(`/api/admin/users/${unknownId()}`)).body).toMatchObject({ statusCode: 404, message: 'No such user.' });

      const before = await browser.get(path);
      expect(before.status).toBe(200);
      expect(before.body).toEqual({ id: target.id, email: target.email, roles: [], activeSessions: 0, lastActiveAt: null });
      await signIn(api.url, target);
      await signIn(api.url, target);
      const after = await browser.get(path.toUpperCase().replace('/API/ADMIN/USERS/', '/api/admin/users/'));
      expect(after.body).toMatchObject({ id: target.id, email: target.email, activeSessions: 2, lastActiveAt: expect.any(String) });
      expect(after.headers.get('cache-control')).toBe('no-store');
    });

    it('should be in the OpenAPI document with its statuses', async () => {
      const doc = (await new BrowserClient(api.url).get('/api/docs-json')).body;
      const operation = doc.paths['/api/admin/users/{userId}']?.get;
      expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404', '503']);
      expect(Object.keys(doc.paths['/api/admin/overview']?.get?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '503']);
    });
  });

  describe('GET /api/admin/audit?email=', () => {
    it("should filter by the user's current email, case-insensitively, and give every event its user", async () => {
      const account = await registerAccount(api.url, 'audited');
      const other = await registerAccount(api.url, 'bystander');
      const session = await signIn(api.url, account);
      await signIn(api.url, other);
      await session.browser.post('/api/auth/logout');
      const { browser } = await signIn(api.url, admin);

      const response = await browser.get(`/api/admin/audit?email=${encodeURIComponent(account.email.toUpperCase())}`);
      expect(response.status).toBe(200);
      const items = response.body.items as Array<{ type: string; userId: string; user: { id: string; email: string } | null }>;
      expect(items.map((item) => item.type)).toEqual(['logout', 'login']);
      expect(items.every((item) => item.userId === account.id && item.user?.email === account.email)).toBe(true);

      // Events about nobody carry user null; the admin's own reads are about no user.
      const all = (await browser.get('/api/admin/audit?limit=200')).body.items as Array<{ type: string; userId: string | null; user: unknown }>;
      expect(all.find((item) => item.type === 'audit_read')).toMatchObject({ userId: null, user: null });
      expect(all.find((item) => item.userId === other.id)).toMatchObject({ user: { id: other.id, email: other.email } });

      expect((await browser.get('/api/admin/audit?email=nobody-at-all@example.com')).body).toEqual({ items: [], nextCursor: null });
      expect((await browser.get(`/api/admin/audit?email=${encodeURIComponent(account.email)}&userId=${other.id}`)).body.items).toEqual([]);

      const exported = await browser.get(`/api/admin/audit/export?format=ndjson&email=${encodeURIComponent(account.email)}`);
      const lines = (exported.body as string)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { userId: string });
      expect(lines.map((line) => line.userId)).toEqual([account.id, account.id]);
      expect((await browser.get(`/api/admin/audit/export?format=csv&email=nobody-at-all@example.com`)).body.trim().split('\n')).toHaveLength(1);
    });
  });

  describe('GET /api/admin/overview', () => {
    it('should count sessions now and per day, sign-ins and sign-outs by reason, devices, places and the latest revocations', async () => {
      const cohort = await registerAccount(api.url, 'cohort');
      // Three days ago: two sign-ins, one ended that day by the user and one still open (idle-expired, so not active now).
      // At noon UTC that day, so that a run just before midnight does not move the sign-out into the next day.
      const now = new Date();
      const threeDaysAgoNoon = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 3, 12));
      await pool.query(
        `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, ip, location, device_type, created_at, last_active_at,
                                    idle_seconds, absolute_expires_at, fresh_at, ended_at, end_reason)
         SELECT gen_random_uuid(), $1, 'cookie', $2::bytea || g::text::bytea, 'Seed/1.0', '10.0.0.' || g, 'Local network', 'tablet',
                $3::timestamptz, $3::timestamptz, 1800, now() + interval '1 day', $3::timestamptz,
                CASE WHEN g = 1 THEN $3::timestamptz + interval '1 minute' END, CASE WHEN g = 1 THEN 'revoked_by_user' END
           FROM generate_series(1, 2) g`,
        [cohort.id, randomBytes(16), threeDaysAgoNoon],
      );
      // Closed days are counted once per few minutes per instance: the history is in place before the first read.
      const before = (await (await signIn(api.url, admin)).browser.get('/api/admin/overview')).body;
      const phone = await signInFrom(cohort, '193.0.0.1', SAFARI_IPHONE);
      await signInFrom(cohort, '8.8.8.8');
      const { browser } = await signIn(api.url, admin);
      const phoneId = ((await phone.get('/api/auth/me')).body as { session: { id: string } }).session.id;
      expect((await browser.post(`/api/admin/users/${cohort.id}/sessions/revoke`, { json: { sessionIds: [phoneId], note: 'Lost phone' } })).status).toBe(200);

      const response = await browser.get('/api/admin/overview');
      expect(response.status).toBe(200);
      const overview = response.body as {
        activeSessions: number;
        days: Array<{ day: string; activeSessions: number; signIns: number; signOuts: Record<string, number> }>;
        byDeviceType: Array<{ type: string; sessions: number }>;
        byPlace: Array<{ place: string; sessions: number }>;
        recentRevocations: Array<{
          type: string;
          user: { email: string } | null;
          actor: { email: string };
          note: string | null;
          count: number;
          reason: string;
        }>;
      };
      const delta = (pick: (body: typeof overview) => number) => pick(overview) - pick(before);
      const today = overview.days.at(-1)!;
      const threeDaysAgo = overview.days.at(-4)!;
      const beforeToday = (before.days as typeof overview.days).at(-1)!;
      expect(overview.days).toHaveLength(30);
      expect(today.day).toBe(new Date().toISOString().slice(0, 10));
      // Today: the two sign-ins from phone and 8.8.8.8 plus the admin's two (one for `before`, one now), the phone revoked.
      expect(today.signIns - beforeToday.signIns).toBe(3);
      expect((today.signOuts['revoked_by_admin'] ?? 0) - (beforeToday.signOuts['revoked_by_admin'] ?? 0)).toBe(1);
      expect(threeDaysAgo).toMatchObject({ signIns: 2, signOuts: { revoked_by_user: 1 } });
      // Now: 8.8.8.8 and the admin's new session are active; the idle-expired seeded row is open but not active.
      expect(delta((body) => body.activeSessions)).toBe(2);
      // Open at the end of today is open now: the idle-expired seeded row counts until the sweep ends it.
      expect(delta((body) => body.days.at(-1)!.activeSessions)).toBe(2);
      const open = await pool.query<{ open: number }>(`SELECT count(*)::int AS open FROM auth_sessions WHERE ended_at IS NULL`);
      expect(today.activeSessions).toBe(open.rows[0].open);
      expect(today.activeSessions).toBeGreaterThan(overview.activeSessions);
      const place = (body: typeof overview, name: string) => body.byPlace.find((entry) => entry.place.startsWith(name))?.sessions ?? 0;
      expect(delta((body) => place(body, 'Mountain View, California, United States'))).toBe(1);
      // The phone in Amsterdam was revoked: no longer a place of an active session.
      expect(delta((body) => place(body, 'Amsterdam'))).toBe(0);
      expect(overview.byDeviceType.reduce((sum, entry) => sum + entry.sessions, 0)).toBe(overview.activeSessions);
      expect(overview.byDeviceType.some((entry) => entry.type === 'tablet')).toBe(false);
      expect(overview.recentRevocations[0]).toMatchObject({
        type: 'session_revoked',
        reason: 'revoked_by_admin',
        note: 'Lost phone',
        count: 1,
        user: { email: cohort.email },
        actor: { email: admin.email },
      });

      const audited = await pool.query(`SELECT 1 FROM auth_audit_events WHERE type = 'audit_read' AND actor_id = $1 AND metadata ? 'overview'`, [admin.id]);
      expect(audited.rowCount).toBeGreaterThanOrEqual(2);
    });

    it('should refuse anonymous callers and users without the admin role', async () => {
      const user = await signIn(api.url, await registerAccount(api.url, 'curious'));
      expect((await new BrowserClient(api.url).get('/api/admin/overview')).status).toBe(401);
      expect((await user.browser.get('/api/admin/overview')).status).toBe(403);
    });
  });

  describe('GET /api/auth/registration', () => {
    it('should tell anyone, signed in or not, that registration is open', async () => {
      const response = await new BrowserClient(api.url).get('/api/auth/registration');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ open: true });
    });
  });
});
