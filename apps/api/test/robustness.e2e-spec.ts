import { randomBytes } from 'node:crypto';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { type ApiResponse, BrowserClient } from '../../../test-support/http-client.js';
import { type Account, registerAccount, signIn } from './support/accounts.js';
import { adminAccount, adminEnv } from './support/admin.js';
import { TestDatabase } from './support/database.js';

// Bad input never 5xx (issue 12): one class of input at a time, on both HTTP platforms the demo runs on.
// Every response also goes through the shared OpenAPI check (BrowserClient): its status is documented.

const DEEP = 5000;

/** A well-formed session token that no session has: 32 random bytes, base64url, as the library issues them. */
function unknownSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** `{"email": [[[…1…]]], "password": "x"}` nested `DEEP` levels: far beyond any stack class-transformer has. */
function deeplyNested(field: string): string {
  return `{"${field}":${'['.repeat(DEEP)}1${']'.repeat(DEEP)},"password":"correct horse battery staple"}`;
}

/** The session cookie and XSRF header of a signed-in browser, to send by hand beside other cookies. */
function credentialsOf(browser: BrowserClient): { token: string; xsrf: string } {
  return { token: browser.cookie('sid')!, xsrf: decodeURIComponent(browser.cookie('XSRF-TOKEN')!) };
}

/** POSTs raw bytes (BrowserClient sends strings, which fetch always encodes as valid UTF-8). */
async function postBytes(url: string, contentType: string | null, bytes: Buffer): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', headers: contentType === null ? {} : { 'content-type': contentType }, body: bytes });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

function expectNoServerError(response: ApiResponse): void {
  expect(response.status).toBeLessThan(500);
  expect(JSON.stringify(response.body)).not.toMatch(/\bat .+\(.+:\d+:\d+\)|QueryFailedError|SELECT |invalid byte sequence/);
}

describe.each(['express', 'fastify'] as const)('bad input never 5xx (demo app on %s)', (adapter) => {
  let api: ApiProcess;
  let db: TestDatabase;
  const admin = adminAccount();

  beforeAll(async () => {
    api = await startApi({ env: { ...adminEnv(admin), HTTP_ADAPTER: adapter } });
    db = new TestDatabase();
    admin.id = (await db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [admin.email]))[0].id;
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  const anonymous = () => new BrowserClient(api.url);
  const auditCount = async (actorOrUser: string) =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM auth_audit_events WHERE actor_id = $1 OR user_id = $1', [actorOrUser]))[0].n);

  describe('deeply nested JSON bodies', () => {
    it.each([
      ['/api/auth/login', 'email'],
      ['/api/auth/token', 'email'],
      ['/api/auth/register', 'email'],
      ['/api/auth/token/refresh', 'refresh_token'],
      ['/api/auth/token/revoke', 'refresh_token'],
      ['/api/auth/logout', 'returnTo'],
    ])('should answer POST %s with 400 before authentication, and stay up', async (path, field) => {
      const response = await anonymous().post(path, { body: deeplyNested(field), headers: { 'content-type': 'application/json' } });

      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/nests deeper than \d+ levels/);
      expect((await anonymous().get('/api/health')).status).toBe(200);
    });

    it('should answer an authenticated endpoint the same way, and change nothing', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);

      const response = await browser.post('/api/auth/logout-all', { body: deeplyNested('keepCurrent'), headers: { 'content-type': 'application/json' } });

      expect(response.status).toBe(400);
      expect((await browser.get('/api/auth/me')).status).toBe(200);
    });
  });

  describe('bodies larger than the platform reads', () => {
    it('should answer 413 before parsing, and create nothing', async () => {
      const email = `big-${Date.now()}@example.com`;
      const padding = 'x'.repeat(70 * 1024);

      const response = await anonymous().post('/api/auth/register', { json: { email, password: 'correct horse battery staple', padding } });

      expect(response.status).toBe(413);
      expect(await db.query('SELECT 1 FROM users WHERE email = $1', [email])).toEqual([]);
    });

    it('should still read a revoke-by-filter with 1,000 user ids (the largest body the API needs)', async () => {
      const { browser } = await signIn(api.url, admin);
      const userIds = Array.from({ length: 1000 }, () => crypto.randomUUID());

      const response = await browser.post('/api/admin/sessions/revoke-by-filter', { json: { userIds, dryRun: true, note: 'size check' } });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ matched: 0, revoked: 0 });
    });
  });

  describe('bodies that are not valid JSON', () => {
    it.each([
      ['/api/auth/token/revoke', 'YuIiNeQs5u123'],
      ['/api/auth/token/refresh', '{"refresh_token":"YuIiNeQs5u123"'],
      ['/api/auth/login', '{"email": ada@example.com}'],
    ])('should answer POST %s with 400 "The body is not valid JSON." and echo none of the body', async (path, text) => {
      const response = await anonymous().post(path, { body: text, headers: { 'content-type': 'application/json' } });

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, message: 'The body is not valid JSON.', error: 'Bad Request' });
    });
  });

  describe('bodies of a media type no parser reads', () => {
    it('should refuse logout-all with {"keepCurrent":true} sent as text/plain with 415, ending no session', async () => {
      const account = await registerAccount(api.url);
      const caller = await signIn(api.url, account);
      const other = await signIn(api.url, account);

      const response = await caller.browser.post('/api/auth/logout-all', { body: '{"keepCurrent":true}', headers: { 'content-type': 'text/plain' } });

      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ statusCode: 415, message: expect.any(String) });
      expect(response.setCookies).toEqual([]);
      expect((await caller.browser.get('/api/auth/me')).status).toBe(200);
      expect((await other.browser.get('/api/auth/me')).status).toBe(200);
    });

    it.each([
      ['text/plain', 'text/plain'],
      ['application/xml', 'application/xml'],
      ['no content type at all', null],
    ])('should refuse a body sent as %s with 415 before the route runs', async (_name, contentType) => {
      const account = await registerAccount(api.url);

      const response = await postBytes(
        `${api.url}/api/auth/token`,
        contentType,
        Buffer.from(JSON.stringify({ email: account.email, password: account.password })),
      );

      expect(response.status).toBe(415);
      // The same answer on both platforms: Fastify's own refusal ("Unsupported Media Type") is answered as Express's.
      expect(response.body).toEqual({
        statusCode: 415,
        message: 'The body must be application/json or application/x-www-form-urlencoded; nothing was changed.',
        error: 'Unsupported Media Type',
      });
      expect(await auditCount(account.id)).toBe(0);
    });
  });

  describe('bodies that are not JSON objects', () => {
    it.each([
      ['null', 'application/json', 'null'],
      ['an array', 'application/json', '[{"keepCurrent":true}]'],
      ['a string', 'application/json', '"keepCurrent"'],
      ['malformed JSON', 'application/json', '{"keepCurrent":'],
    ])('should answer %s with 400 and change nothing', async (_name, contentType, body) => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);

      const response = await browser.post('/api/auth/logout-all', { body, headers: { 'content-type': contentType } });

      expect(response.status).toBe(400);
      expectNoServerError(response);
      expect((await browser.get('/api/auth/me')).status).toBe(200);
    });
  });

  describe('bodies the route cannot read, and input a route does not take', () => {
    const sessionCount = async (userId: string) =>
      Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM auth_sessions WHERE user_id = $1 AND ended_at IS NULL', [userId]))[0].n);

    it.each([
      ['text/plain', 'text/plain;charset=UTF-8'],
      ['XML', 'application/xml'],
      ['no content type', ''],
    ])('should answer a logout-all body sent as %s with 415, and end no session (not even as if keepCurrent were absent)', async (_name, contentType) => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      await signIn(api.url, account);
      const before = await auditCount(account.id);

      const response = await browser.post('/api/auth/logout-all', { body: '{"keepCurrent":true}', headers: { 'content-type': contentType } });

      expect(response.status).toBe(415);
      // The library's answer, or the platform's own where it refuses the type first (Fastify, for XML).
      expect(response.body).toMatchObject({ statusCode: 415, message: expect.any(String) });
      expect((await browser.get('/api/auth/me')).status).toBe(200);
      expect(await sessionCount(account.id)).toBe(2);
      expect(await auditCount(account.id)).toBe(before);
    });

    it('should refuse a form-encoded body on the token endpoints (JSON only: the reason they skip the CSRF rules), and sign nobody in', async () => {
      const account = await registerAccount(api.url);

      const response = await anonymous().post('/api/auth/token', { form: { email: account.email, password: account.password } });

      expect(response.status).toBe(415);
      expect(await sessionCount(account.id)).toBe(0);
      expect((await anonymous().post('/api/auth/token', { json: { email: account.email, password: account.password } })).status).toBe(200);
    });

    it('should still read a plain HTML form posting logout with its _csrf field', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);

      const response = await browser.post('/api/auth/logout', {
        form: { _csrf: credentialsOf(browser).xsrf },
        headers: { accept: 'text/html' },
        xsrf: false,
      });

      expect(response.status).toBe(303);
      expect(await sessionCount(account.id)).toBe(0);
    });

    it("should read a login form's checked Remember me (rememberMe=on) as true, and the same text in JSON as a wrong type", async () => {
      const account = await registerAccount(api.url);
      const sessionCookie = (response: ApiResponse) => response.setCookies.find((line) => /^(__Host-)?sid=/.test(line)) ?? '';

      const checked = await anonymous().post('/api/auth/login', { form: { email: account.email, password: account.password, rememberMe: 'on' } });
      const unchecked = await anonymous().post('/api/auth/login', { form: { email: account.email, password: account.password } });
      const json = await anonymous().post('/api/auth/login', { json: { email: account.email, password: account.password, rememberMe: 'on' } });
      const unknownWord = await anonymous().post('/api/auth/login', { form: { email: account.email, password: account.password, rememberMe: 'yes' } });

      expect(checked.status).toBe(200);
      // A rememberMe session's cookie persists (Max-Age); a plain one lives as long as the browser.
      expect(sessionCookie(checked)).toMatch(/; Max-Age=\d+/i);
      expect(unchecked.status).toBe(200);
      expect(sessionCookie(unchecked)).not.toMatch(/Max-Age/i);
      expect(json).toMatchObject({ status: 400, body: { message: ['rememberMe must be a boolean value'] } });
      expect(unknownWord).toMatchObject({ status: 400, body: { message: ['rememberMe must be a boolean value'] } });
      expect(await sessionCount(account.id)).toBe(2);
    });

    it('should refuse a dry-run flag in the query string of a revocation with 400: it revokes nothing', async () => {
      const victim = await registerAccount(api.url);
      const { browser: victimBrowser } = await signIn(api.url, victim);
      const { browser } = await signIn(api.url, admin);
      const before = await auditCount(victim.id);

      const filter = await browser.post('/api/admin/sessions/revoke-by-filter?dryRun=true', { json: { userIds: [victim.id], note: 'preview?' } });
      const report = await victimBrowser.post('/api/auth/security-report?dryRun=true', { json: {} });

      expect([filter.status, report.status]).toEqual([400, 400]);
      expect(filter.body.message).toEqual(['property dryRun should not exist']);
      expect((await victimBrowser.get('/api/auth/me')).status).toBe(200);
      expect(await auditCount(victim.id)).toBe(before);
    });

    it('should refuse a body on the routes that take none (revoke-others, deleting a device) with 400, and end nothing', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      const { browser: other, sessionId: otherId } = await signIn(api.url, account);

      const withProperty = await browser.post('/api/auth/sessions/revoke-others', { json: { x: 1 } });
      const withArray = await browser.post('/api/auth/sessions/revoke-others', { json: [] });
      const deleteWithBody = await browser.delete(`/api/auth/sessions/${otherId}`, { json: { x: 1 } });

      expect([withProperty.status, withArray.status, deleteWithBody.status]).toEqual([400, 400, 400]);
      expect(withProperty.body.message).toEqual(['property x should not exist']);
      expect((await other.get('/api/auth/me')).status).toBe(200);
      expect(await sessionCount(account.id)).toBe(2);
      // Without the stray input the same calls work.
      expect((await browser.post('/api/auth/sessions/revoke-others')).body).toEqual({ revoked: 1 });
    });
  });

  describe('null where the contract expects a value', () => {
    it('should refuse dryRun: null with 400, and revoke nothing: a dry run never writes', async () => {
      const victim = await registerAccount(api.url);
      const { browser: victimBrowser } = await signIn(api.url, victim);
      const { browser } = await signIn(api.url, admin);
      const before = await auditCount(victim.id);

      const response = await browser.post('/api/admin/sessions/revoke-by-filter', { json: { userIds: [victim.id], dryRun: null, note: 'preview only' } });

      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(expect.arrayContaining(['dryRun must be true or false']));
      expect((await victimBrowser.get('/api/auth/me')).status).toBe(200);
      expect(await auditCount(victim.id)).toBe(before);
      // And a real dry run still only counts.
      expect((await browser.post('/api/admin/sessions/revoke-by-filter', { json: { userIds: [victim.id], dryRun: true, note: 'preview' } })).body).toEqual({
        matched: 1,
        revoked: 0,
      });
      expect((await victimBrowser.get('/api/auth/me')).status).toBe(200);
    });

    it.each(['ip', 'userAgentContains', 'createdBefore', 'lastActiveBefore', 'userIds', 'note'])(
      'should refuse %s: null in a revoke-by-filter with 400 (no 5xx), and change nothing',
      async (field) => {
        const victim = await registerAccount(api.url);
        const { browser: victimBrowser } = await signIn(api.url, victim);
        const { browser } = await signIn(api.url, admin);

        const response = await browser.post('/api/admin/sessions/revoke-by-filter', { json: { userIds: [victim.id], note: 'incident', [field]: null } });

        expect(response.status).toBe(400);
        expect((await victimBrowser.get('/api/auth/me')).status).toBe(200);
      },
    );

    it.each([
      ['/api/auth/login', { rememberMe: null }],
      ['/api/auth/logout-all', { keepCurrent: null }],
      ['/api/auth/logout', { returnTo: null }],
      ['/api/auth/security-report', { note: null }],
    ])('should refuse null in POST %s with 400 and change nothing', async (path, extra) => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      const body = path === '/api/auth/login' ? { email: account.email, password: account.password, ...extra } : extra;

      const response = await browser.post(path, { json: body });

      expect(response.status).toBe(400);
      expect((await browser.get('/api/auth/me')).status).toBe(200);
    });
  });

  describe('NUL bytes and other invalid text', () => {
    it.each([
      '/api/admin/users?search=%00',
      '/api/admin/users?search=ada%00%27--',
      '/api/admin/users?search=%1B%5B31m',
      '/api/admin/audit?cursor=%00',
      '/api/admin/audit?type=logout%00',
      '/api/admin/audit?userId=%00',
      '/api/admin/audit/export?format=csv%00',
      '/api/admin/users/%00/sessions',
    ])('should answer GET %s with 400 before PostgreSQL sees it', async (path) => {
      const { browser } = await signIn(api.url, admin);

      const response = await browser.get(path);

      expect(response.status).toBe(400);
      expectNoServerError(response);
    });

    it.each([
      ['a NUL in userAgentContains', '{"userAgentContains":"Firefox\\u0000","note":"x"}'],
      ['a NUL in the note', '{"ip":"203.0.113.9","note":"stolen\\u0000laptop"}'],
      ['a lone surrogate in the note', '{"ip":"203.0.113.9","note":"broken \\ud800 text"}'],
      ['a NUL in a property name', '{"ip":"203.0.113.9","note":"x","\\u0000":1}'],
    ])('should refuse %s in a revoke-by-filter with 400', async (_name, body) => {
      const { browser } = await signIn(api.url, admin);

      const response = await browser.post('/api/admin/sessions/revoke-by-filter', { body, headers: { 'content-type': 'application/json' } });

      expect(response.status).toBe(400);
      expectNoServerError(response);
    });

    it.each([
      ['/api/auth/register', { email: 'nul\u0000@example.com', password: 'correct horse battery staple' }],
      ['/api/auth/register', { email: 'ok@example.com', password: 'correct horse\u0000battery' }],
      ['/api/auth/login', { email: 'ada@example.com', password: 'pass\u0000word' }],
      ['/api/auth/token/refresh', { refresh_token: '\u0000' }],
      ['/api/auth/logout', { returnTo: '/devices\u0000' }],
    ])('should answer POST %s with NUL text with 400', async (path, json) => {
      const response = await anonymous().post(path, { json });

      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/NUL/);
    });

    describe('invalid UTF-8 (a decoder would make every invalid sequence U+FFFD)', () => {
      it.each([
        ['two 0xFF bytes', Buffer.from([0xff, 0xff])],
        ['an overlong NUL (0xC0 0x80)', Buffer.from([0xc0, 0x80])],
        ['a truncated sequence', Buffer.from([0xe2, 0x82])],
      ])('should refuse a JSON register whose password holds %s with 400, and create no account', async (_name, bad) => {
        const email = `utf8-${randomBytes(4).toString('hex')}@example.com`;
        const body = Buffer.concat([Buffer.from(`{"email":"${email}","password":"Password-aa-`), bad, Buffer.from('"}')]);

        const response = await postBytes(`${api.url}/api/auth/register`, 'application/json', body);

        expect(response.status).toBe(400);
        expect(response.body.message).toMatch(/UTF-8/);
        expect(JSON.stringify(response.body)).not.toContain('Password-aa');
        expect(await db.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
      });

      it('should refuse a form body with invalid UTF-8 bytes with 400', async () => {
        // The login reads form posts (the token routes read JSON only, and answer a form 415).
        const body = Buffer.concat([Buffer.from('email=someone%40example.com&password=Password-aa-'), Buffer.from([0xff])]);

        const response = await postBytes(`${api.url}/api/auth/login`, 'application/x-www-form-urlencoded', body);

        expect(response.status).toBe(400);
        expect(response.body.message).toMatch(/UTF-8/);
      });

      it('should refuse U+FFFD itself in any string, as the library refuses lone surrogates', async () => {
        const email = `utf8-${randomBytes(4).toString('hex')}@example.com`;

        const response = await anonymous().post('/api/auth/register', { json: { email, password: 'Password-aa-\ufffd\ufffd' } });

        expect(response.status).toBe(400);
        expect(response.body.message).toMatch(/not valid UTF-8/);
        expect(await db.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
      });
    });

    it('should write no failed-sign-in audit event for a login refused for its text', async () => {
      const account = await registerAccount(api.url);
      const before = await auditCount(account.id);

      expect((await anonymous().post('/api/auth/login', { json: { email: account.email, password: 'x\u0000' } })).status).toBe(400);
      expect(await auditCount(account.id)).toBe(before);
    });
  });

  describe('duplicate session cookies (cookie tossing)', () => {
    let account: Account;

    beforeAll(async () => {
      account = await registerAccount(api.url);
    });

    it('should end the real session on logout when a garbage cookie comes first', async () => {
      const { browser, sessionId } = await signIn(api.url, account);
      const { token, xsrf } = credentialsOf(browser);
      const tossed = anonymous();

      const response = await tossed.post('/api/auth/logout', { headers: { cookie: `sid=planted-garbage; sid=${token}`, 'x-xsrf-token': xsrf } });

      expect(response.status).toBe(200);
      const replay = await tossed.get('/api/auth/me', { headers: { cookie: `sid=${token}` } });
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({ code: 'session_ended', reason: 'logout' });
      expect((await db.auditEvents(account.id)).filter((event) => event['type'] === 'logout' && event['session_id'] === sessionId)).toHaveLength(1);
    });

    it('should use the one live session when an unknown well-formed token comes first', async () => {
      const { browser } = await signIn(api.url, account);
      const { token } = credentialsOf(browser);

      const response = await anonymous().get('/api/auth/me', { headers: { cookie: `sid=${unknownSessionToken()}; sid=${token}` } });

      expect(response.status).toBe(200);
      expect(response.body.user.id).toBe(account.id);
    });

    it('should keep asking for the XSRF value of the session it uses', async () => {
      const { browser } = await signIn(api.url, account);
      const { token } = credentialsOf(browser);

      const response = await anonymous().post('/api/auth/logout', { headers: { cookie: `sid=planted-garbage; sid=${token}` } });

      expect(response.status).toBe(403);
      expect(response.body.code).toBe('csrf_token_invalid');
      expect((await browser.get('/api/auth/me')).status).toBe(200);
    });

    describe('when two cookies name two different live sessions (an attacker planted their own)', () => {
      it('should authenticate as nobody (never one of them, never a mix), and change nothing', async () => {
        const attacker = await registerAccount(api.url, 'attacker');
        const victim = await signIn(api.url, account);
        const planted = await signIn(api.url, attacker);
        const cookie = `sid=${credentialsOf(planted.browser).token}; sid=${credentialsOf(victim.browser).token}`;
        const xsrf = credentialsOf(victim.browser).xsrf;

        const me = await anonymous().get('/api/auth/me', { headers: { cookie } });
        const logoutAll = await anonymous().post('/api/auth/logout-all', { headers: { cookie, 'x-xsrf-token': xsrf } });

        expect(me.status).toBe(401);
        expect(logoutAll.status).toBe(401);
        expect((await victim.browser.get('/api/auth/me')).status).toBe(200);
        expect((await planted.browser.get('/api/auth/me')).status).toBe(200);
      });

      it('should end both on logout, with the XSRF value of one of them', async () => {
        const attacker = await registerAccount(api.url, 'attacker');
        const victim = await signIn(api.url, account);
        const planted = await signIn(api.url, attacker);
        const cookie = `sid=${credentialsOf(planted.browser).token}; sid=${credentialsOf(victim.browser).token}`;

        const withoutXsrf = await anonymous().post('/api/auth/logout', { headers: { cookie } });
        expect(withoutXsrf.status).toBe(403);
        expect((await victim.browser.get('/api/auth/me')).status).toBe(200);

        const response = await anonymous().post('/api/auth/logout', { headers: { cookie, 'x-xsrf-token': credentialsOf(victim.browser).xsrf } });

        expect(response.status).toBe(200);
        expect((await victim.browser.get('/api/auth/me')).body).toMatchObject({ code: 'session_ended', reason: 'logout' });
        expect((await planted.browser.get('/api/auth/me')).body).toMatchObject({ code: 'session_ended', reason: 'logout' });
        expect((await db.auditEvents(account.id)).filter((event) => event['type'] === 'logout' && event['session_id'] === victim.sessionId)).toHaveLength(1);
      });
    });

    it('should refuse more than four different session cookies with 400 and change nothing', async () => {
      const { browser } = await signIn(api.url, account);
      const { token, xsrf } = credentialsOf(browser);
      const cookie = [...Array.from({ length: 4 }, () => `sid=${unknownSessionToken()}`), `sid=${token}`].join('; ');

      const me = await anonymous().get('/api/auth/me', { headers: { cookie } });
      const logout = await anonymous().post('/api/auth/logout', { headers: { cookie, 'x-xsrf-token': xsrf } });

      expect(me.status).toBe(400);
      expect(logout.status).toBe(400);
      expect(logout.body.code).toBe('too_many_session_cookies');
      expect(logout.setCookies).toEqual([]);
      expect((await browser.get('/api/auth/me')).status).toBe(200);
    });
  });

  describe('malformed and oversized cookies and headers (ROB-01, ROB-02)', () => {
    it.each([
      ['an 8 KB cookie', { cookie: `sid=${'a'.repeat(8 * 1024)}` }],
      ['500 cookies', { cookie: Array.from({ length: 500 }, (_, index) => `c${index}=v`).join('; ') }],
      ['a percent-encoded NUL', { cookie: 'sid=%00' }],
      ['non-ASCII bytes', { cookie: 'sid=%C3%A9%FF%FE' }],
      ['bad base64', { cookie: `sid=${'!'.repeat(43)}` }],
      ['a 10 KB Authorization', { authorization: `Bearer ${'A'.repeat(10 * 1024)}` }],
      ['two Authorization headers', { authorization: 'Bearer a.b.c, Bearer d.e.f' }],
      ['SQL in the session cookie', { cookie: "sid=' OR '1'='1" }],
      ['a sleeping SQL injection', { cookie: "sid=x'; SELECT pg_sleep(5)--" }],
    ])('should refuse %s on /me, refresh and logout with 400, 401, 413 or 431, quickly, and create no session', async (_name, headers) => {
      // The run's database is shared with the spec files of the other worker, which sign in meanwhile:
      // only a session these requests opened counts, and it would carry their user agent.
      const userAgent = `robustness-${randomBytes(8).toString('hex')}`;
      for (const [method, path, json] of [
        ['GET', '/api/auth/me', undefined],
        ['POST', '/api/auth/token/refresh', { refresh_token: "x'; SELECT pg_sleep(5)--" }],
        ['POST', '/api/auth/logout', undefined],
      ] as const) {
        const started = Date.now();
        const response = await anonymous().request(method, path, { headers: { ...headers, 'user-agent': userAgent }, ...(json ? { json } : {}) });

        expect({ path, status: [400, 401, 413, 431].includes(response.status) || (path === '/api/auth/logout' && response.status === 200) }).toEqual({
          path,
          status: true,
        });
        // Never near pg_sleep's 5 s: malformed values never reach PostgreSQL.
        expect(Date.now() - started).toBeLessThan(2000);
      }
      expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM auth_sessions WHERE user_agent = $1', [userAgent]))[0].n)).toBe(0);
      expect((await anonymous().get('/api/health')).status).toBe(200);
    });
  });

  describe('logout returnTo (ROB-03)', () => {
    it.each([
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'https:evil.example',
      'javascript:alert(1)',
      '%2F%2Fevil.example',
      'https://app.example.org@evil.example',
      '/..//evil.example',
    ])('should keep the redirect for %s on this origin', async (returnTo) => {
      const json = await anonymous().post('/api/auth/logout', { json: { returnTo } });
      const html = await anonymous().post('/api/auth/logout', { form: { returnTo }, headers: { accept: 'text/html' } });

      expect(new URL(json.body.redirectTo, api.origin).origin).toBe(api.origin);
      expect(html.status).toBe(303);
      expect(new URL(html.headers.get('location')!, `${api.origin}/api/auth/logout`).origin).toBe(api.origin);
    });
  });

  describe('unsupported methods', () => {
    it.each([
      ['PUT', '/api/auth/login', 'POST'],
      ['DELETE', '/api/auth/me', 'GET, HEAD'],
      ['GET', '/api/auth/logout', 'POST'],
      ['PUT', '/api/auth/logout', 'POST'],
      ['DELETE', '/api/auth/logout', 'POST'],
      ['POST', '/api/auth/sessions/3f0e5c1a-8b2d-4c4e-9a51-0d5b7c2e9f10', 'DELETE'],
      ['PATCH', '/api/admin/audit', 'GET, HEAD'],
      ['PUT', '/metrics', 'GET, HEAD'],
    ])('should answer %s %s with 405 and Allow: %s', async (method, path, allow) => {
      const response = await anonymous().request(method, path);

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.body).toMatchObject({ statusCode: 405 });
    });

    it('should mark a 405 to a signed-in request as not to be stored, as every answer to one is', async () => {
      const { browser } = await signIn(api.url, await registerAccount(api.url));

      const response = await browser.request('PATCH', '/api/auth/me');

      expect(response.status).toBe(405);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('should still answer 404 for a path that does not exist', async () => {
      expect((await anonymous().request('PUT', '/api/no-such-thing')).status).toBe(404);
    });

    it("should keep a handler's own 404", async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);

      expect((await browser.delete(`/api/auth/sessions/${crypto.randomUUID()}`)).status).toBe(404);
    });
  });
});
