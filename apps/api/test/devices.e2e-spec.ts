import { randomUUID } from 'node:crypto';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
// Sessions count as fresh for 2 s here, so step-up can be tested without long waits.
const FRESH_AGE_SECONDS = 2;

async function staleSignIn(baseUrl: string, account: Parameters<typeof signIn>[1]) {
  const signedIn = await signIn(baseUrl, account);
  await new Promise((done) => setTimeout(done, FRESH_AGE_SECONDS * 1000 + 200));
  return signedIn;
}

describe('own devices and step-up (demo app, one instance)', () => {
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    api = await startApi({ env: { FRESH_AGE_SECONDS: String(FRESH_AGE_SECONDS) } });
    db = new TestDatabase();
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  describe('GET /api/auth/sessions', () => {
    it("should list only the caller's active sessions as devices, the current one marked, newest activity first", async () => {
      const account = await registerAccount(api.url);
      const phone = await signIn(api.url, account, { userAgent: SAFARI_IPHONE });
      const laptop = await signIn(api.url, account, { userAgent: CHROME_WINDOWS });
      await signIn(api.url, await registerAccount(api.url));
      const response = await laptop.browser.request('GET', '/api/auth/sessions');
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const sessions = response.body.sessions as Array<Record<string, any>>;
      expect(sessions.map((session) => session['id']).sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
      expect(sessions.filter((session) => session['current']).map((session) => session['id'])).toEqual([laptop.sessionId]);
      const byId = Object.fromEntries(sessions.map((session) => [session['id'], session]));
      expect(byId[laptop.sessionId]).toMatchObject({
        device: { browser: 'Chrome 156', os: 'Windows 10', type: 'desktop' },
        userAgent: CHROME_WINDOWS,
        ip: '127.0.0.1',
        createdAt: expect.any(String),
        lastActiveAt: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect(byId[phone.sessionId]).toMatchObject({ device: { browser: 'Mobile Safari 18', os: 'iOS 18.0', type: 'mobile' } });
      expect(JSON.stringify(response.body)).not.toContain(laptop.browser.cookie('sid')!);
      expect(JSON.stringify(response.body)).not.toMatch(/token|hash/i);
    });

    it('should add ended sessions with reason and who ended them under ?include=ended, and reject other values', async () => {
      const account = await registerAccount(api.url);
      const first = await signIn(api.url, account);
      const second = await signIn(api.url, account);
      expect((await first.browser.request('POST', '/api/auth/logout')).status).toBe(200);
      const active = await second.browser.request('GET', '/api/auth/sessions');
      expect(active.body.sessions.map((session: { id: string }) => session.id)).toEqual([second.sessionId]);
      const history = await second.browser.request('GET', '/api/auth/sessions?include=ended');
      const ended = history.body.sessions.find((session: { id: string }) => session.id === first.sessionId);
      expect(ended).toMatchObject({ endReason: 'logout', endedAt: expect.any(String), endedBy: { id: account.id, email: account.email } });
      expect((await second.browser.request('GET', '/api/auth/sessions?include=everything')).status).toBe(400);
    });
  });

  describe('DELETE /api/auth/sessions/:id', () => {
    it('should end another own session when fresh, with revoked_by_user and a session_revoked event', async () => {
      const account = await registerAccount(api.url);
      const other = await signIn(api.url, account);
      const current = await signIn(api.url, account);
      const response = await current.browser.request('DELETE', `/api/auth/sessions/${other.sessionId}`);
      expect(response.status).toBe(204);
      const rejected = await other.browser.request('GET', '/api/auth/me');
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'revoked_by_user' });
      expect((await current.browser.request('GET', '/api/auth/me')).status).toBe(200);
      const events = (await db.auditEvents(account.id)).filter((event) => event['type'] === 'session_revoked');
      expect(events).toEqual([expect.objectContaining({ session_id: other.sessionId, reason: 'revoked_by_user' })]);
    });

    it('should need step-up for another session: 403 reauth_required and nothing changes', async () => {
      const account = await registerAccount(api.url);
      const other = await signIn(api.url, account);
      const current = await staleSignIn(api.url, account);
      const response = await current.browser.request('DELETE', `/api/auth/sessions/${other.sessionId}`);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('reauth_required');
      expect((await other.browser.request('GET', '/api/auth/me')).status).toBe(200);
      // A client-asserted flag does not satisfy step-up: a header is ignored, a body field refused (the route takes none).
      const asserted = await current.browser.request('DELETE', `/api/auth/sessions/${other.sessionId}`, { headers: { 'x-reauth': '1' } });
      expect(asserted.status).toBe(403);
      const inBody = await current.browser.request('DELETE', `/api/auth/sessions/${other.sessionId}`, { json: { reauthenticated: true } });
      expect(inBody.status).toBe(400);
      expect(inBody.body.message).toEqual(['property reauthenticated should not exist']);
      expect((await other.browser.request('GET', '/api/auth/me')).status).toBe(200);
    });

    it('should end the current session without step-up and clear the cookies', async () => {
      const account = await registerAccount(api.url);
      const current = await staleSignIn(api.url, account);
      const response = await current.browser.request('DELETE', `/api/auth/sessions/${current.sessionId}`);
      expect(response.status).toBe(204);
      expect(response.headers.get('clear-site-data')).toBe('"cache", "cookies", "storage"');
      expect((await current.browser.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it("should answer another user's session exactly like an unknown one (404), and a malformed id with 400", async () => {
      const victim = await signIn(api.url, await registerAccount(api.url));
      const attacker = await signIn(api.url, await registerAccount(api.url));
      const foreign = await attacker.browser.request('DELETE', `/api/auth/sessions/${victim.sessionId}`);
      const unknown = await attacker.browser.request('DELETE', `/api/auth/sessions/${randomUUID()}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(unknown.body);
      expect((await victim.browser.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await attacker.browser.request('DELETE', '/api/auth/sessions/not-a-uuid')).status).toBe(400);
    });
  });

  describe('step-up actions', () => {
    it('should make revoke-others and logout-all keepCurrent need a fresh session, then work after reauth', async () => {
      const account = await registerAccount(api.url);
      const others = await Promise.all([signIn(api.url, account), signIn(api.url, account)]);
      const current = await staleSignIn(api.url, account);
      for (const [path, body] of [
        ['/api/auth/sessions/revoke-others', undefined],
        ['/api/auth/logout-all', { keepCurrent: true }],
      ] as const) {
        const refused = await current.browser.request('POST', path, body ? { json: body } : {});
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('reauth_required');
      }
      for (const other of others) expect((await other.browser.request('GET', '/api/auth/me')).status).toBe(200);

      const oldToken = current.browser.cookie('sid')!;
      const wrong = await current.browser.request('POST', '/api/auth/reauth', { json: { password: 'wrong password' } });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('invalid_password');
      const reauth = await current.browser.request('POST', '/api/auth/reauth', { json: { password: PASSWORD } });
      expect(reauth.status).toBe(200);
      expect(reauth.body.session.id).toBe(current.sessionId);
      expect(current.browser.cookie('sid')).not.toBe(oldToken);
      const old = new BrowserClient(api.url);
      old.cookies.set('sid', oldToken);
      const superseded = await old.request('GET', '/api/auth/me');
      expect(superseded.status).toBe(401);
      expect(superseded.body.code).toBe('unauthenticated');

      const revoked = await current.browser.request('POST', '/api/auth/sessions/revoke-others');
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ revoked: 2 });
      for (const other of others) {
        const me = await other.browser.request('GET', '/api/auth/me');
        expect(me.body).toMatchObject({ code: 'session_ended', reason: 'logout_everywhere' });
      }
      expect((await current.browser.request('GET', '/api/auth/me')).status).toBe(200);
    });

    it('should keep the current session with logout-all keepCurrent when fresh', async () => {
      const account = await registerAccount(api.url);
      const other = await signIn(api.url, account);
      const current = await signIn(api.url, account);
      const response = await current.browser.request('POST', '/api/auth/logout-all', { json: { keepCurrent: true } });
      expect(response.body).toEqual({ revoked: 1 });
      expect(response.setCookies).toEqual([]);
      expect((await current.browser.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await other.browser.request('GET', '/api/auth/me')).status).toBe(401);
    });
  });
});
