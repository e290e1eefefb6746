import { createHash } from 'node:crypto';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient, parseSetCookie } from '../../../test-support/http-client.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { issueTokens } from './support/tokens.js';

describe('sign-in (demo app, one instance)', () => {
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    api = await startApi({ env: { REMEMBER_ME_ABSOLUTE_SECONDS: '86400' } });
    db = new TestDatabase();
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  describe('POST /api/auth/register', () => {
    it('should create a user without signing in, and refuse the same email in another case with 409', async () => {
      const browser = new BrowserClient(api.url);
      const email = `Reg-${Date.now()}@Example.com`;
      const created = await browser.request('POST', '/api/auth/register', { json: { email, password: PASSWORD } });
      expect(created.status).toBe(201);
      expect(created.body.user).toEqual({ id: expect.any(String), email, roles: [] });
      expect(created.setCookies).toEqual([]);
      const again = await browser.request('POST', '/api/auth/register', { json: { email: email.toLowerCase(), password: PASSWORD } });
      expect(again.status).toBe(409);
    });

    it('should reject passwords outside 12-128 characters and bad emails with 400', async () => {
      const browser = new BrowserClient(api.url);
      for (const body of [
        { email: 'short@example.com', password: 'x'.repeat(11) },
        { email: 'long@example.com', password: 'x'.repeat(129) },
        { email: 'not-an-email', password: PASSWORD },
        { email: 'extra@example.com', password: PASSWORD, roles: ['admin'] },
      ]) {
        const response = await browser.request('POST', '/api/auth/register', { json: body });
        expect(response.status).toBe(400);
      }
      const rows = await db.query(`SELECT 1 FROM users WHERE email IN ('short@example.com','long@example.com','extra@example.com')`);
      expect(rows).toHaveLength(0);
    });
  });

  describe('POST /api/auth/login', () => {
    it('should answer the contract body and set both cookies with the contract attributes', async () => {
      const account = await registerAccount(api.url);
      const browser = new BrowserClient(api.url);
      const response = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD } });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        user: { id: account.id, email: account.email, roles: [] },
        session: { id: expect.any(String), expiresAt: expect.any(String) },
      });
      const cookies = Object.fromEntries(response.setCookies.map((line) => [parseSetCookie(line).name, parseSetCookie(line)]));
      expect(cookies['sid'].value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookies['sid'].attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });
      expect(cookies['sid'].attributes['max-age']).toBeUndefined();
      expect(cookies['sid'].attributes['domain']).toBeUndefined();
      expect(cookies['XSRF-TOKEN'].attributes).toMatchObject({ path: '/', samesite: 'Lax' });
      expect(cookies['XSRF-TOKEN'].attributes['httponly']).toBeUndefined();
      // The token travels only in Set-Cookie, never in the body.
      expect(JSON.stringify(response.body)).not.toContain(cookies['sid'].value);
    });

    it('should give rememberMe sessions a persistent cookie of the absolute lifetime', async () => {
      const account = await registerAccount(api.url);
      const browser = new BrowserClient(api.url);
      const response = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD, rememberMe: true } });
      expect(response.status).toBe(200);
      const sid = response.setCookies.map(parseSetCookie).find((cookie) => cookie.name === 'sid')!;
      expect(Number(sid.attributes['max-age'])).toBeGreaterThan(86400 - 5);
      expect(Number(sid.attributes['max-age'])).toBeLessThanOrEqual(86400);
    });

    it('should answer an unknown email and a wrong password with the same 401, and audit both', async () => {
      const account = await registerAccount(api.url);
      const browser = new BrowserClient(api.url);
      const wrong = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: 'not the password' } });
      const unknown = await browser.request('POST', '/api/auth/login', { json: { email: `nobody-${Date.now()}@example.com`, password: 'x' } });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.setCookies).toEqual([]);
      const failures = await db.query(
        `SELECT user_id FROM auth_audit_events WHERE type = 'login_failed' AND (user_id = $1 OR metadata->>'email' LIKE 'nobody-%')`,
        [account.id],
      );
      expect(failures.map((row) => row['user_id'])).toEqual(expect.arrayContaining([account.id, null]));
    });

    it('should reject bad input with 400 and write nothing', async () => {
      const browser = new BrowserClient(api.url);
      // Events about these emails only: other specs' apps write to the same table meanwhile (sweeps, jobs).
      const email = `bad-input-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 8)}@example.com`;
      const written = () =>
        db.query(`SELECT count(*)::int AS n FROM auth_audit_events WHERE metadata->>'email' IN ($1, 'not-an-email') OR metadata::text LIKE $2`, [
          email,
          `%${email}%`,
        ]);
      const before = await written();
      for (const body of [{}, { email }, { email: 'not-an-email', password: 'x' }, { email, password: 7 }]) {
        const response = await browser.request('POST', '/api/auth/login', { json: body });
        expect(response.status).toBe(400);
      }
      const malformed = await browser.request('POST', '/api/auth/login', { headers: { 'content-type': 'application/json' }, body: '{"email":' });
      expect(malformed.status).toBe(400);
      expect(JSON.stringify(malformed.body)).not.toMatch(/at .*\.js|SyntaxError:/);
      const after = await written();
      expect(after[0]['n']).toBe(before[0]['n']);
    });

    it('should refuse a login from a foreign Origin with 403', async () => {
      const account = await registerAccount(api.url);
      const browser = new BrowserClient(api.url, { origin: 'https://evil.example' });
      const response = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD } });
      expect(response.status).toBe(403);
      expect(response.setCookies).toEqual([]);
    });

    it('should never adopt a planted token (fixation) and end a valid session it arrives with (replaced)', async () => {
      const account = await registerAccount(api.url);
      const planted = new BrowserClient(api.url);
      planted.cookies.set('sid', 'A'.repeat(43));
      const login = await planted.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD } });
      expect(login.status).toBe(200);
      expect(planted.cookie('sid')).not.toBe('A'.repeat(43));
      const replay = new BrowserClient(api.url);
      replay.cookies.set('sid', 'A'.repeat(43));
      expect((await replay.request('GET', '/api/auth/me')).status).toBe(401);

      const oldToken = planted.cookie('sid')!;
      // Login never needs the XSRF value, even when the browser still has a valid session.
      const relogin = await planted.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD }, xsrf: false });
      expect(relogin.status).toBe(200);
      expect(relogin.body.session.id).not.toBe(login.body.session.id);
      const old = new BrowserClient(api.url);
      old.cookies.set('sid', oldToken);
      const rejected = await old.request('GET', '/api/auth/me');
      expect(rejected.status).toBe(401);
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'replaced' });
      const events = await db.auditEvents(account.id);
      expect(events.filter((event) => event['type'] === 'session_revoked' && event['reason'] === 'replaced')).toHaveLength(1);
    });

    it('should end the session it arrives with also when an Authorization header that does not verify comes along', async () => {
      // The guard ignores the cookie of a request with an Authorization header; the sign-in still
      // overwrites that cookie, so the session it named must end rather than stay signed in unseen.
      const account = await registerAccount(api.url);
      const browser = new BrowserClient(api.url);
      const first = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD } });
      const oldToken = browser.cookie('sid')!;
      const again = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD }, bearer: 'stale-token' });
      expect(again.status).toBe(200);
      expect(again.body.session.id).not.toBe(first.body.session.id);
      const old = new BrowserClient(api.url);
      old.cookies.set('sid', oldToken);
      expect((await old.request('GET', '/api/auth/me')).body).toMatchObject({ code: 'session_ended', reason: 'replaced' });
    });

    it("should end the session it arrives with also beside another session's valid access token, which it leaves alone", async () => {
      // The guard authenticates such a request by its bearer alone; the cookie's session is still the
      // one the sign-in overwrites, and the access token belongs to another client.
      const account = await registerAccount(api.url);
      const tokens = await issueTokens(api.url, account);
      const browser = new BrowserClient(api.url);
      const first = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD } });
      const oldToken = browser.cookie('sid')!;
      const again = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD }, bearer: tokens.access_token });
      expect(again.status).toBe(200);
      expect(again.body.session.id).not.toBe(first.body.session.id);
      const old = new BrowserClient(api.url);
      old.cookies.set('sid', oldToken);
      expect((await old.request('GET', '/api/auth/me')).body).toMatchObject({ code: 'session_ended', reason: 'replaced' });
      expect((await new BrowserClient(api.url).request('GET', '/api/auth/me', { bearer: tokens.access_token })).status).toBe(200);
      expect((await browser.request('GET', '/api/auth/me')).body.session.id).toBe(again.body.session.id);
    });

    it('should record the peer address, not a client-sent X-Forwarded-For (TRUST_PROXY=0)', async () => {
      const account = await registerAccount(api.url);
      const browser = new BrowserClient(api.url);
      const response = await browser.request('POST', '/api/auth/login', {
        json: { email: account.email, password: PASSWORD },
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      const row = await db.session(response.body.session.id);
      expect(row!['ip']).toBe('127.0.0.1');
    });
  });

  describe('POST /api/auth/login without a session', () => {
    it('should answer the new session with Cache-Control: no-store', async () => {
      const account = await registerAccount(api.url);
      const response = await new BrowserClient(api.url).request('POST', '/api/auth/login', { json: { email: account.email, password: account.password } });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('GET /api/auth/me', () => {
    it('should answer the user and session with Cache-Control: no-store', async () => {
      const account = await registerAccount(api.url);
      const { browser, sessionId } = await signIn(api.url, account);
      const response = await browser.request('GET', '/api/auth/me');
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body.user).toEqual({ id: account.id, email: account.email, roles: [] });
      expect(response.body.session.id).toBe(sessionId);
    });

    it('should answer 401 unauthenticated for no, unknown, malformed and injected tokens, and never accept a token in the URL', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      const token = browser.cookie('sid')!;
      const values = [undefined, 'B'.repeat(43), 'garbage', `' OR '1'='1`, `x'; SELECT pg_sleep(5)--`, '%00', 'x'.repeat(5000)];
      for (const value of values) {
        const client = new BrowserClient(api.url);
        if (value !== undefined) client.cookies.set('sid', value);
        const started = Date.now();
        const response = await client.request('GET', '/api/auth/me');
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ statusCode: 401, message: expect.any(String), code: 'unauthenticated' });
        expect(Date.now() - started).toBeLessThan(2000);
      }
      const inUrl = await new BrowserClient(api.url).request('GET', `/api/auth/me?sid=${token}`);
      expect(inUrl.status).toBe(401);
      const lookalike = new BrowserClient(api.url);
      lookalike.cookies.set('SID', token);
      expect((await lookalike.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it('should answer 400 to unknown or repeated query parameters on GET routes that take none, as the other GET routes do', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      for (const path of ['/api/auth/me', '/api/auth/events', '/api/health']) {
        for (const query of ['x=1', 'x=1&x=2']) {
          const response = await browser.request('GET', `${path}?${query}`);
          expect(response.status).toBe(400);
          expect(response.body).toMatchObject({ statusCode: 400, message: ['property x should not exist'] });
        }
      }
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await browser.request('GET', '/api/health')).status).toBe(200);
    });

    it('should keep only a SHA-256 of the token: the stored value does not work as a cookie', async () => {
      const account = await registerAccount(api.url);
      const { browser, sessionId } = await signIn(api.url, account);
      const token = browser.cookie('sid')!;
      const row = await db.session(sessionId);
      const stored = row!['token_hash'] as Buffer;
      expect(stored.equals(createHash('sha256').update(token).digest())).toBe(true);
      expect(JSON.stringify(row)).not.toContain(token);
      const thief = new BrowserClient(api.url);
      thief.cookies.set('sid', stored.toString('base64url'));
      expect((await thief.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it('should not write lastActiveAt on every request', async () => {
      const account = await registerAccount(api.url);
      const { browser, sessionId } = await signIn(api.url, account);
      const before = await db.session(sessionId);
      for (let i = 0; i < 5; i++) expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
      const after = await db.session(sessionId);
      expect((after!['last_active_at'] as Date).getTime()).toBe((before!['last_active_at'] as Date).getTime());
    });
  });

  it('should answer GET /api/health with 200 when PostgreSQL and Redis are up', async () => {
    const response = await new BrowserClient(api.url).request('GET', '/api/health');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });
});
