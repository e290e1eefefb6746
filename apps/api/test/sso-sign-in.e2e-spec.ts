import { AUTH_SESSIONS_ENTITIES } from '@signoff/auth-sessions';
import { DataSource } from 'typeorm';
import { type ApiProcess, startApi, startApis } from '../../../test-support/api-process.js';
import { freePort } from '../../../test-support/free-port.js';
import { BrowserClient, parseSetCookie } from '../../../test-support/http-client.js';
import { startThrowawayIdp, type ThrowawayIdp } from '../../../test-support/throwaway-idp.js';
import { registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { type Isolated, isolated } from './support/jobs.js';
import { CLIENT_ID, CLIENT_SECRET, IdpBrowser, newLogin, oidcEnv, ssoSignIn, waitUntilSsoAvailable } from './support/sso.js';

// Both instances serve one public origin (as behind a load balancer), so the provider knows one
// redirect URI; the tests talk to each instance by its own address.
const ORIGIN = 'http://signoff.localhost';
// Short enough for the step-up tests to wait out, long enough for the other tests never to notice.
const FRESH_AGE_SECONDS = 2;
const waitUntilStale = () => new Promise((resolve) => setTimeout(resolve, FRESH_AGE_SECONDS * 1000 + 300));

describe('single sign-on: OIDC sign-in against a real OpenID Provider, on two instances', () => {
  let scope: Isolated;
  let a: ApiProcess;
  let b: ApiProcess;
  let idp: ThrowawayIdp;
  let db: TestDatabase;
  let whileUnreachable: { login: number; status: number; statusBody: unknown };

  beforeAll(async () => {
    scope = isolated('sso_signin');
    db = new TestDatabase(scope.databaseUrl);
    const idpPort = await freePort();
    const issuer = `http://127.0.0.1:${idpPort}`;
    // The provider is not running yet: the apps must start anyway and answer 503 on SSO routes.
    [a, b] = (await startApis(2, {
      databaseUrl: scope.databaseUrl,
      env: { ...oidcEnv(issuer), REDIS_PREFIX: scope.redisPrefix, PUBLIC_ORIGIN: ORIGIN, FRESH_AGE_SECONDS: String(FRESH_AGE_SECONDS) },
    })) as [ApiProcess, ApiProcess];
    const status = await new BrowserClient(a.url).get('/api/auth/oidc/status');
    whileUnreachable = { login: (await new BrowserClient(b.url).get('/api/auth/oidc/login')).status, status: status.status, statusBody: status.body };
    idp = await startThrowawayIdp({
      port: idpPort,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      appOrigins: [ORIGIN],
      backchannelLogoutUri: `${a.url}/api/auth/oidc/backchannel-logout`,
    });
    // Discovery is retried in the background (and when an SSO route is hit): both instances find the provider by themselves.
    await Promise.all([a, b].map((api) => waitUntilSsoAvailable(api.url)));
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await idp?.stop();
    await db?.close();
    await scope?.drop();
  });

  it('should start while the provider is unreachable, answer 503 on SSO routes, then sign in once the provider answers', async () => {
    expect(whileUnreachable.login).toBe(503);
    expect(whileUnreachable).toMatchObject({ status: 200, statusBody: { enabled: true, available: false } });
    const login = newLogin();
    const { callback } = await ssoSignIn(new BrowserClient(b.url), new IdpBrowser(idp.issuer), login);
    expect(callback.status).toBe(303);
    expect((await new BrowserClient(a.url).get('/api/auth/oidc/status')).body).toEqual({ enabled: true, available: true });
  });

  it("should sign in through the provider's own forms (code flow, PKCE S256, state, nonce) and open a session both instances accept", async () => {
    const login = newLogin();
    const browser = new BrowserClient(a.url);
    const { callback, authorizationUrl, callbackUrl } = await ssoSignIn(browser, new IdpBrowser(idp.issuer), login);

    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(`${idp.issuer}/auth`);
    const query = authorizationUrl.searchParams;
    expect(query.get('response_type')).toBe('code');
    expect(query.get('client_id')).toBe(CLIENT_ID);
    expect(query.get('redirect_uri')).toBe(`${ORIGIN}/api/auth/oidc/callback`);
    expect(query.get('scope')).toBe('openid email profile');
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(query.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    // RFC 9207: the provider names itself in the response, and openid-client checked it.
    expect(callbackUrl.searchParams.get('iss')).toBe(idp.issuer);

    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/devices');
    const cookies = callback.setCookies.map(parseSetCookie);
    expect(cookies.find((cookie) => cookie.name === 'sid')?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect(cookies.find((cookie) => cookie.name === 'XSRF-TOKEN')).toBeDefined();
    // The sign-in state cookie is single use: cleared by the callback.
    expect(cookies.find((cookie) => cookie.name === 'signoff-sso')?.attributes['max-age']).toBe('0');

    const email = idp.emailOf(login);
    const onB = new BrowserClient(b.url);
    onB.cookies.set('sid', browser.cookie('sid')!);
    for (const client of [browser, onB]) {
      const me = await client.get('/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ email, roles: [] });
    }

    const list = await onB.get('/api/auth/sessions');
    expect(list.body.sessions).toEqual([expect.objectContaining({ current: true, sso: { issuer: idp.issuer } })]);
    // The provider's tokens never leave the server (a JWS or JWE would start with "eyJ").
    expect(JSON.stringify(list.body)).not.toMatch(/eyJ|id_token|sso_sid/);

    const me = await browser.get('/api/auth/me');
    const row = await db.session(me.body.session.id);
    expect(row).toMatchObject({ sso_issuer: idp.issuer, sso_subject: login, kind: 'cookie' });
    expect(row!['sso_sid']).toEqual(expect.any(String));
    const [hint] = await db.query<{ id_token_hint: string }>('SELECT id_token_hint FROM auth_sso_logout_hints WHERE session_id = $1', [me.body.session.id]);
    // Stored encrypted (JWE, alg dir + A256GCM): five parts, and no readable claim in it.
    expect(hint.id_token_hint.split('.')).toHaveLength(5);
    expect(JSON.parse(Buffer.from(hint.id_token_hint.split('.')[0], 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM' });
    expect(hint.id_token_hint).not.toContain(Buffer.from(login).toString('base64url').slice(0, 8));

    const logins = (await db.auditEvents(me.body.user.id)).filter((event) => event['type'] === 'login');
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ session_id: me.body.session.id, metadata: expect.objectContaining({ method: 'oidc', issuer: idp.issuer }) });
    const [link] = await db.query('SELECT * FROM auth_sso_links WHERE issuer = $1 AND subject = $2', [idp.issuer, login]);
    expect(link).toMatchObject({ user_id: me.body.user.id });
  });

  it('should sign the same provider account in as the same user the next time, starting on one instance and finishing on the other', async () => {
    const login = newLogin();
    const idpBrowser = new IdpBrowser(idp.issuer);
    const first = new BrowserClient(a.url);
    await ssoSignIn(first, idpBrowser, login);
    const firstUser = (await first.get('/api/auth/me')).body.user.id;

    const second = new BrowserClient(a.url);
    const start = await second.get('/api/auth/oidc/login');
    const callbackUrl = await idpBrowser.follow(start.headers.get('location')!, login);
    const onB = new BrowserClient(b.url);
    onB.cookies.set('signoff-sso', second.cookie('signoff-sso')!);
    const callback = await onB.get(callbackUrl.pathname + callbackUrl.search);
    expect(callback.status).toBe(303);
    expect((await onB.get('/api/auth/me')).body.user.id).toBe(firstUser);
  });

  it('should keep a safe returnTo and drop an unsafe one', async () => {
    const kept = await ssoSignIn(new BrowserClient(a.url), new IdpBrowser(idp.issuer), newLogin(), '/admin/audit?type=login');
    expect(kept.callback.headers.get('location')).toBe('/admin/audit?type=login');
    for (const unsafe of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const dropped = await ssoSignIn(new BrowserClient(a.url), new IdpBrowser(idp.issuer), newLogin(), unsafe);
      expect(dropped.callback.headers.get('location')).toBe('/devices');
    }
  });

  it('should end the session the browser already had (no fixation): reason replaced', async () => {
    const account = await registerAccount(a.url, 'sso-fixation');
    const { browser } = await signIn(a.url, account);
    const before = browser.cookie('sid')!;
    const { callback } = await ssoSignIn(browser, new IdpBrowser(idp.issuer), newLogin());
    expect(callback.status).toBe(303);
    expect(browser.cookie('sid')).not.toBe(before);
    const old = new BrowserClient(b.url);
    old.cookies.set('sid', before);
    const rejected = await old.get('/api/auth/me');
    expect(rejected.status).toBe(401);
    expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'replaced' });
  });

  it('should link a provider account to the existing user with that verified email', async () => {
    const account = await registerAccount(a.url, 'sso-link');
    const browser = new BrowserClient(a.url);
    // The provider's email is the login when it looks like one: the same address, verified.
    await ssoSignIn(browser, new IdpBrowser(idp.issuer), account.email);
    expect((await browser.get('/api/auth/me')).body.user).toMatchObject({ id: account.id, email: account.email });
    // The password still works for that user: SSO added a way in, it took none away.
    expect((await signIn(b.url, account)).sessionId).toEqual(expect.any(String));
  });

  it('should refuse an unknown email the provider does not vouch for: 303 to /login?error=sso_failed, no session', async () => {
    const browser = new BrowserClient(a.url);
    const { callback } = await ssoSignIn(browser, new IdpBrowser(idp.issuer), newLogin('unverified'));
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/login?error=sso_failed');
    expect(browser.cookie('sid')).toBeUndefined();
    const failures = await db.query(`SELECT metadata FROM auth_audit_events WHERE type = 'login_failed' AND metadata->>'method' = 'oidc'`);
    expect(failures.length).toBeGreaterThan(0);
  });

  it("should refuse a wrong state, a reused state and a callback without this browser's sign-in cookie, opening no session", async () => {
    const idpBrowser = new IdpBrowser(idp.issuer);
    const login = newLogin();

    const browser = new BrowserClient(a.url);
    const start = await browser.get('/api/auth/oidc/login');
    const stateCookie = browser.cookie('signoff-sso')!;
    const callbackUrl = await idpBrowser.follow(start.headers.get('location')!, login);

    const wrongState = new URL(callbackUrl);
    wrongState.searchParams.set('state', 'not-the-state-this-browser-was-sent-with');
    const wrong = await browser.get(wrongState.pathname + wrongState.search);
    expect(wrong.headers.get('location')).toBe('/login?error=sso_failed');
    expect(browser.cookie('sid')).toBeUndefined();

    // Another browser (no sign-in cookie: a login CSRF attempt) gets nothing from the real callback URL.
    const attacker = new BrowserClient(b.url);
    const planted = await attacker.get(callbackUrl.pathname + callbackUrl.search);
    expect(planted.headers.get('location')).toBe('/login?error=sso_failed');
    expect(attacker.cookie('sid')).toBeUndefined();

    // The real browser with its cookie: once.
    browser.cookies.set('signoff-sso', stateCookie);
    const once = await browser.get(callbackUrl.pathname + callbackUrl.search);
    expect(once.headers.get('location')).toBe('/devices');
    const replay = new BrowserClient(b.url);
    replay.cookies.set('signoff-sso', stateCookie);
    const reused = await replay.get(callbackUrl.pathname + callbackUrl.search);
    expect(reused.headers.get('location')).toBe('/login?error=sso_failed');
    expect(replay.cookie('sid')).toBeUndefined();
  });

  describe('step-up through the provider (reauth=1)', () => {
    it('should ask the provider to sign the same account in again and make the same session fresh, with new secrets, on both instances', async () => {
      const login = newLogin();
      const idpBrowser = new IdpBrowser(idp.issuer);
      const browser = new BrowserClient(a.url);
      await ssoSignIn(browser, idpBrowser, login);
      const sessionId = (await browser.get('/api/auth/me')).body.session.id;
      await waitUntilStale();
      expect((await browser.post('/api/auth/sessions/revoke-others')).body).toMatchObject({ code: 'reauth_required' });

      const oldSid = browser.cookie('sid')!;
      const start = await browser.get('/api/auth/oidc/login?reauth=1&returnTo=%2Fdevices');
      expect(start.status).toBe(302);
      const authorizationUrl = new URL(start.headers.get('location')!);
      expect(authorizationUrl.searchParams.get('prompt')).toBe('login');
      expect(authorizationUrl.searchParams.get('max_age')).toBe('0');
      const pages: string[] = [];
      // The provider still has its own session from the sign-in above: prompt=login makes it ask anyway.
      const callbackUrl = await idpBrowser.follow(authorizationUrl.href, login, pages);
      expect(pages).toContain('login');
      const callback = await browser.get(callbackUrl.pathname + callbackUrl.search);
      expect(callback.status).toBe(303);
      expect(callback.headers.get('location')).toBe('/devices');

      expect(browser.cookie('sid')).not.toBe(oldSid);
      const onB = new BrowserClient(b.url);
      onB.cookies.set('sid', browser.cookie('sid')!);
      onB.cookies.set('XSRF-TOKEN', browser.cookie('XSRF-TOKEN')!);
      expect((await onB.get('/api/auth/me')).body.session.id).toBe(sessionId);
      expect((await onB.post('/api/auth/sessions/revoke-others')).status).toBe(200);
      const old = new BrowserClient(b.url);
      old.cookies.set('sid', oldSid);
      expect((await old.get('/api/auth/me')).status).toBe(401);
    });

    it('should make nothing fresh when another provider account signs in at the prompt', async () => {
      const idpBrowser = new IdpBrowser(idp.issuer);
      const browser = new BrowserClient(a.url);
      await ssoSignIn(browser, idpBrowser, newLogin());
      await waitUntilStale();
      const sid = browser.cookie('sid');
      const start = await browser.get('/api/auth/oidc/login?reauth=1');
      const callbackUrl = await idpBrowser.follow(start.headers.get('location')!, newLogin('someone-else'));
      const callback = await browser.get(callbackUrl.pathname + callbackUrl.search);
      expect(callback.headers.get('location')).toBe('/login?error=sso_failed');
      // No session was opened or made fresh for the other account: the cookie is the one the browser had.
      expect(browser.cookie('sid')).toBe(sid);
      // The provider itself ended the first account's provider session when another signed in there, and
      // said so by back-channel logout: the Signoff session that came from it ended with it.
      const after = await browser.get('/api/auth/me');
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ code: 'session_ended', reason: 'idp_logout' });
    });

    it('should make nothing fresh when the callback comes back in a browser with another session', async () => {
      const login = newLogin();
      const idpBrowser = new IdpBrowser(idp.issuer);
      const asker = new BrowserClient(a.url);
      await ssoSignIn(asker, idpBrowser, login);
      await waitUntilStale();
      const start = await asker.get('/api/auth/oidc/login?reauth=1');
      const callbackUrl = await idpBrowser.follow(start.headers.get('location')!, login);
      // The sign-in state cookie travels (as it would if planted), the session cookie is another one.
      const other = new BrowserClient(a.url);
      await ssoSignIn(other, new IdpBrowser(idp.issuer), newLogin());
      other.cookies.set('signoff-sso', asker.cookie('signoff-sso')!);
      const callback = await other.get(callbackUrl.pathname + callbackUrl.search);
      expect(callback.headers.get('location')).toBe('/login?error=sso_failed');
      expect((await asker.post('/api/auth/sessions/revoke-others')).body).toMatchObject({ code: 'reauth_required' });
    });

    it('should refuse reauth without a session (401), for a password session (400) and with a value other than 1 (400)', async () => {
      expect((await new BrowserClient(a.url).get('/api/auth/oidc/login?reauth=1')).status).toBe(401);
      const { browser } = await signIn(a.url, await registerAccount(a.url, 'sso-reauth-password'));
      const refused = await browser.get('/api/auth/oidc/login?reauth=1');
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'sso_reauth_not_possible' });
      expect((await browser.get('/api/auth/oidc/login?reauth=yes')).status).toBe(400);
      expect(browser.cookie('signoff-sso')).toBeUndefined();
    });
  });

  // As every other library route: a query parameter the route does not take is refused, not ignored.
  describe('query parameters the SSO routes do not take', () => {
    it.each([
      ['/api/auth/oidc/login?x=1', 'property x should not exist'],
      ['/api/auth/oidc/login?returnTo=/a&returnTo=/b', 'returnTo must be a string'],
      ['/api/auth/oidc/login?reauth=1&reauth=1', 'reauth must be 1 when given.'],
      ['/api/auth/oidc/status?x=1', 'property x should not exist'],
    ])('should answer %s with 400 naming it, and start no sign-in', async (path, message) => {
      const browser = new BrowserClient(a.url);
      const answer = await browser.get(path);
      expect({ status: answer.status, message: answer.body?.message }).toEqual({ status: 400, message: expect.arrayContaining([message]) });
      expect(browser.cookie('signoff-sso')).toBeUndefined();
    });
  });

  it("should pass the provider's error on to the login page", async () => {
    const browser = new BrowserClient(a.url);
    const start = await browser.get('/api/auth/oidc/login');
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const denied = await browser.get(`/api/auth/oidc/callback?error=access_denied&error_description=End-User+aborted&state=${state}`);
    expect(denied.status).toBe(303);
    expect(denied.headers.get('location')).toBe('/login?error=sso_failed&provider_error=access_denied');
    expect(browser.cookie('sid')).toBeUndefined();
  });

  it('should have entities that match the single sign-on migration exactly (no schema difference on its tables, columns or indexes)', async () => {
    const dataSource = new DataSource({ type: 'postgres', url: scope.databaseUrl, entities: AUTH_SESSIONS_ENTITIES });
    await dataSource.initialize();
    try {
      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
      expect(upQueries.map((query) => query.query).filter((query) => /sso/i.test(query))).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('should answer 404 on every SSO route when SSO is off, and say so on the status', async () => {
    const plain = await startApi({ databaseUrl: scope.databaseUrl, env: { REDIS_PREFIX: scope.redisPrefix } });
    try {
      const client = new BrowserClient(plain.url);
      // The status says so rather than answering 404: the console asks it on every visit to the login page.
      expect((await client.get('/api/auth/oidc/status')).body).toEqual({ enabled: false, available: false });
      expect((await client.get('/api/auth/oidc/login')).status).toBe(404);
      expect((await client.get('/api/auth/oidc/callback?code=x&state=y')).status).toBe(404);
      expect((await client.post('/api/auth/oidc/backchannel-logout', { form: { logout_token: 'x' } })).status).toBe(404);
      expect((await client.post('/api/auth/oidc/ssf', { body: 'x', headers: { 'content-type': 'application/secevent+jwt' } })).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
