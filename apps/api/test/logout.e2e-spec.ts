import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient, parseSetCookie } from '../../../test-support/http-client.js';
import { registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';

function clearedCookies(setCookies: string[]) {
  return Object.fromEntries(setCookies.map(parseSetCookie).map((cookie) => [cookie.name, cookie]));
}

describe('logout (demo app, one instance)', () => {
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    api = await startApi();
    db = new TestDatabase();
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  describe('POST /api/auth/logout', () => {
    it('should end the session before answering, clear both cookies with their attributes, and send Clear-Site-Data', async () => {
      const account = await registerAccount(api.url);
      const { browser, sessionId } = await signIn(api.url, account);
      const token = browser.cookie('sid')!;
      const response = await browser.request('POST', '/api/auth/logout');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ redirectTo: '/login?logged_out=1' });
      expect(response.headers.get('clear-site-data')).toBe('"cache", "cookies", "storage"');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const cookies = clearedCookies(response.setCookies);
      expect(cookies['sid']).toMatchObject({ value: '', attributes: { 'max-age': '0', path: '/', httponly: true, samesite: 'Lax' } });
      expect(cookies['XSRF-TOKEN']).toMatchObject({ value: '', attributes: { 'max-age': '0', path: '/', samesite: 'Lax' } });

      const replay = new BrowserClient(api.url);
      replay.cookies.set('sid', token);
      const rejected = await replay.request('GET', '/api/auth/me');
      expect(rejected.status).toBe(401);
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'logout' });
      const row = await db.session(sessionId);
      expect(row).toMatchObject({ end_reason: 'logout', ended_by_id: account.id });
      const events = await db.auditEvents(account.id);
      expect(events.filter((event) => event['type'] === 'logout')).toEqual([
        expect.objectContaining({ session_id: sessionId, reason: 'logout', actor_id: account.id }),
      ]);
    });

    it('should answer a stale, garbage or missing cookie the same way and write no audit event', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      const token = browser.cookie('sid')!;
      const xsrf = browser.cookie('XSRF-TOKEN')!;
      expect((await browser.request('POST', '/api/auth/logout')).status).toBe(200);
      const eventsAfterFirst = (await db.auditEvents(account.id)).length;

      const stale = new BrowserClient(api.url);
      stale.cookies.set('sid', token);
      stale.cookies.set('XSRF-TOKEN', xsrf);
      const garbage = new BrowserClient(api.url);
      garbage.cookies.set('sid', 'garbage');
      const answers = await Promise.all([stale, garbage, new BrowserClient(api.url)].map((client) => client.request('POST', '/api/auth/logout')));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ redirectTo: '/login?logged_out=1' });
        expect(answer.headers.get('clear-site-data')).toBe('"cache", "cookies", "storage"');
        const withoutDates = (lines: string[]) => lines.map((line) => line.replace(/Expires=[^;]+/, ''));
        expect(withoutDates(answer.setCookies)).toEqual(withoutDates(answers[0].setCookies));
        expect(clearedCookies(answer.setCookies)['sid'].attributes['max-age']).toBe('0');
      }
      expect((await db.auditEvents(account.id)).length).toBe(eventsAfterFirst);
    });

    it('should answer 401 and end nothing when an invalid bearer comes with a session cookie, and 200 for the bearer alone', async () => {
      // The Authorization header decides (the cookie is not looked at): "logged out" with the cookie
      // cleared would have left that cookie's session signed in, with no cookie left to end it.
      const account = await registerAccount(api.url);
      const { browser, sessionId } = await signIn(api.url, account);
      const refused = await browser.request('POST', '/api/auth/logout', { bearer: 'not-a-token' });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'unauthenticated' });
      expect(refused.setCookies).toEqual([]);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
      expect(await db.session(sessionId)).toMatchObject({ ended_at: null });

      const bearerAlone = await new BrowserClient(api.url).request('POST', '/api/auth/logout', { bearer: 'not-a-token' });
      expect(bearerAlone.status).toBe(200);
      expect((await browser.request('POST', '/api/auth/logout')).status).toBe(200);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it('should honour a relative returnTo and ignore any other', async () => {
      const cases: Array<[string, string]> = [
        ['/devices?tab=history', '/devices?tab=history'],
        ['https://evil.example/', '/login?logged_out=1'],
        ['//evil.example', '/login?logged_out=1'],
        ['/\\evil.example', '/login?logged_out=1'],
        ['https:evil.example', '/login?logged_out=1'],
        ['javascript:alert(1)', '/login?logged_out=1'],
        ['%2F%2Fevil.example', '/login?logged_out=1'],
      ];
      for (const [returnTo, expected] of cases) {
        const response = await new BrowserClient(api.url).request('POST', '/api/auth/logout', { json: { returnTo } });
        expect(response.body).toEqual({ redirectTo: expected });
      }
    });

    it('should answer an HTML form post (Accept: text/html, _csrf field) with 303 to the redirect', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      const response = await browser.request('POST', '/api/auth/logout', {
        form: { _csrf: browser.cookie('XSRF-TOKEN')!, returnTo: '/login' },
        headers: { accept: 'text/html,application/xhtml+xml' },
        xsrf: false,
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/login');
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it("should take a form's _csrf field on the other state-changing routes too, not refuse it as an unknown property", async () => {
      // The contract offers the field to plain HTML forms on every state-changing request, not only logout.
      const account = await registerAccount(api.url);
      const other = await signIn(api.url, account);
      const { browser } = await signIn(api.url, account);
      const xsrf = browser.cookie('XSRF-TOKEN')!;
      const wrong = await browser.request('POST', '/api/auth/sessions/revoke-others', { form: { _csrf: 'not-the-value' }, xsrf: false });
      expect(wrong.status).toBe(403);
      const others = await browser.request('POST', '/api/auth/sessions/revoke-others', { form: { _csrf: xsrf }, xsrf: false });
      expect(others.status).toBe(200);
      expect(others.body).toEqual({ revoked: 1 });
      expect((await other.browser.request('GET', '/api/auth/me')).status).toBe(401);
      const everywhere = await browser.request('POST', '/api/auth/logout-all', { form: { _csrf: xsrf }, xsrf: false });
      expect(everywhere.status).toBe(200);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it('should never log out on GET: 405 with Allow: POST, and the session still works', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      const response = await browser.request('GET', '/api/auth/logout');
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
    });
  });

  describe('CSRF and Origin', () => {
    it("should refuse a cookie-authenticated POST without the XSRF header, with another session's value, or from a foreign Origin, changing nothing", async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      const other = await signIn(api.url, await registerAccount(api.url));
      const attempts = [
        browser.request('POST', '/api/auth/logout', { xsrf: false }),
        browser.request('POST', '/api/auth/logout-all', { xsrf: false, headers: { 'content-type': 'application/json' }, body: '{}' }),
        browser.request('POST', '/api/auth/logout', { xsrf: false, headers: { 'x-xsrf-token': other.browser.cookie('XSRF-TOKEN')! } }),
        browser.request('POST', '/api/auth/logout', { headers: { origin: 'https://evil.example' } }),
        browser.request('POST', '/api/auth/logout', { headers: { origin: 'null' } }),
        browser.request('DELETE', `/api/auth/sessions/${other.sessionId}`, { xsrf: false }),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.status).toBe(403);
        expect(response.setCookies).toEqual([]);
      }
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await other.browser.request('GET', '/api/auth/me')).status).toBe(200);
    });

    it("should refuse a cross-site form's text/plain body (no preflight) before any route runs: 415, changing nothing", async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);

      const response = await browser.request('POST', '/api/auth/logout-all', { xsrf: false, headers: { 'content-type': 'text/plain' }, body: '{}' });

      expect(response.status).toBe(415);
      expect(response.setCookies).toEqual([]);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
    });

    it('should not offer CORS to other origins', async () => {
      const response = await new BrowserClient(api.url).request('OPTIONS', '/api/auth/logout', {
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });
  });

  describe('POST /api/auth/logout-all', () => {
    it('should end every session of the user, the current one too, with one logout_everywhere event', async () => {
      const account = await registerAccount(api.url);
      const devices = await Promise.all([1, 2, 3].map(() => signIn(api.url, account)));
      const bystander = await signIn(api.url, await registerAccount(api.url));
      const response = await devices[0].browser.request('POST', '/api/auth/logout-all', { json: {} });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ revoked: 3 });
      expect(response.headers.get('clear-site-data')).toBe('"cache", "cookies", "storage"');
      expect(clearedCookies(response.setCookies)['sid'].attributes['max-age']).toBe('0');
      for (const device of devices) {
        const stale = new BrowserClient(api.url);
        stale.cookies.set('sid', device.browser.cookie('sid') ?? '');
        const me = await (device === devices[0] ? stale : device.browser).request('GET', '/api/auth/me');
        if (device !== devices[0]) expect(me.body).toMatchObject({ code: 'session_ended', reason: 'logout_everywhere' });
        expect(me.status).toBe(401);
      }
      expect((await bystander.browser.request('GET', '/api/auth/me')).status).toBe(200);
      const events = (await db.auditEvents(account.id)).filter((event) => event['type'] === 'logout_everywhere');
      expect(events).toHaveLength(1);
      expect(events[0]['metadata']).toMatchObject({ count: 3 });
    });

    it('should reject a non-boolean keepCurrent with 400 and change nothing', async () => {
      const account = await registerAccount(api.url);
      const { browser } = await signIn(api.url, account);
      const response = await browser.request('POST', '/api/auth/logout-all', { json: { keepCurrent: 'yes' } });
      expect(response.status).toBe(400);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
    });
  });
});
