import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type ApiProcess, startApi, startApis } from '../../../test-support/api-process.js';
import { freePort } from '../../../test-support/free-port.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { generateSigningKey, type PrivateJwk, startThrowawayIdp, type ThrowawayIdp } from '../../../test-support/throwaway-idp.js';
import { startThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { TestDatabase } from './support/database.js';
import { type EventStream, type Isolated, isolated, openEvents, withCookie } from './support/jobs.js';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  CLIENT_ID,
  CLIENT_SECRET,
  IdpBrowser,
  logoutClaims,
  newLogin,
  oidcEnv,
  postLogoutToken,
  signToken,
  ssoSignIn,
  waitUntilSsoAvailable,
} from './support/sso.js';

const ORIGIN = 'http://signoff.localhost';

/** One browser signed in through the provider: its cookie, its session, and the provider session behind it. */
interface SsoDevice {
  sid: string;
  sessionId: string;
  userId: string;
  providerSid: string;
  idp: IdpBrowser;
}

describe('single sign-on: back-channel logout and RP-initiated logout against a real OpenID Provider, on two instances', () => {
  let scope: Isolated;
  let a: ApiProcess;
  let b: ApiProcess;
  let idp: ThrowawayIdp;
  let idpPort: number;
  let db: TestDatabase;
  const streams: EventStream[] = [];

  const startIdp = (keys?: PrivateJwk[]) =>
    startThrowawayIdp({
      port: idpPort,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      appOrigins: [ORIGIN],
      backchannelLogoutUri: `${a.url}/api/auth/oidc/backchannel-logout`,
      ...(keys ? { keys } : {}),
    });

  const device = async (login: string, idpBrowser = new IdpBrowser(idp.issuer), on: ApiProcess = a): Promise<SsoDevice> => {
    const browser = new BrowserClient(on.url);
    const { callback } = await ssoSignIn(browser, idpBrowser, login);
    expect(callback.status).toBe(303);
    const me = (await browser.get('/api/auth/me')).body;
    const row = await db.session(me.session.id);
    return { sid: browser.cookie('sid')!, sessionId: me.session.id, userId: me.user.id, providerSid: String(row!['sso_sid']), idp: idpBrowser };
  };

  const statusOn = async (api: ApiProcess, session: SsoDevice) => {
    const response = await withCookie(api.url, session.sid).get('/api/auth/me');
    return { status: response.status, code: response.body.code, reason: response.body.reason };
  };

  const idpLogoutEvents = (userId: string) =>
    db.query<{ metadata: Record<string, unknown>; actor_id: string | null; reason: string; ip: string | null; request_id: string | null }>(
      `SELECT metadata, actor_id, reason, ip, request_id FROM auth_audit_events WHERE type = 'logout_everywhere' AND reason = 'idp_logout' AND user_id = $1 ORDER BY seq`,
      [userId],
    );

  beforeAll(async () => {
    scope = isolated('sso_logout');
    db = new TestDatabase(scope.databaseUrl);
    idpPort = await freePort();
    [a, b] = (await startApis(2, {
      databaseUrl: scope.databaseUrl,
      env: { ...oidcEnv(`http://127.0.0.1:${idpPort}`), REDIS_PREFIX: scope.redisPrefix, PUBLIC_ORIGIN: ORIGIN },
    })) as [ApiProcess, ApiProcess];
    idp = await startIdp();
    await Promise.all([a, b].map((api) => waitUntilSsoAvailable(api.url)));
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await idp?.stop();
    await db?.close();
    await scope?.drop();
  });

  it("should end the session on both instances before the provider's logout completes, and only the one of that provider session (sid)", async () => {
    const login = newLogin();
    const laptop = await device(login);
    const phone = await device(login, new IdpBrowser(idp.issuer), b);
    expect(laptop.providerSid).not.toBe(phone.providerSid);
    expect(await statusOn(b, laptop)).toMatchObject({ status: 200 });
    const stream = await openEvents(b.url, { sid: laptop.sid });
    streams.push(stream);
    expect(stream.status).toBe(200);

    // The user signs out at the provider (its own end-session page, "Yes, sign me out").
    const deliveriesBefore = idp.backchannelDeliveries.length;
    const landed = await laptop.idp.follow(`${idp.issuer}/session/end`, login);
    // The provider has finished its logout (it answered the confirmation): the back-channel call is done...
    expect(landed.pathname).toBe('/session/end/success');
    expect(idp.backchannelDeliveries.slice(deliveriesBefore)).toEqual([expect.objectContaining({ ok: true, sid: laptop.providerSid, accountId: login })]);
    // ...and the session is rejected on both instances, with the reason.
    for (const api of [a, b]) expect(await statusOn(api, laptop)).toEqual({ status: 401, code: 'session_ended', reason: 'idp_logout' });
    expect(JSON.parse((await stream.next('logout', 3000)).data)).toEqual({ reason: 'idp_logout' });
    // The other device came from another provider session: untouched (OIDC-02).
    for (const api of [a, b]) expect(await statusOn(api, phone)).toMatchObject({ status: 200 });

    const events = await idpLogoutEvents(laptop.userId);
    expect(events).toEqual([
      expect.objectContaining({
        actor_id: null,
        // The provider's request, as for any other event: its address and request id.
        ip: '127.0.0.1',
        request_id: expect.stringMatching(/.+/),
        metadata: expect.objectContaining({
          count: 1,
          issuer: idp.issuer,
          providerSid: laptop.providerSid,
          source: 'backchannel_logout',
          sessionIds: [laptop.sessionId],
        }),
      }),
    ]);
    expect((await db.session(laptop.sessionId))!['end_reason']).toBe('idp_logout');
    // The stored id_token_hint went with the session.
    expect(await db.query('SELECT 1 FROM auth_sso_logout_hints WHERE session_id = $1', [laptop.sessionId])).toEqual([]);
  });

  it('should end every session of the subject for a token with sub and no sid, and answer 200 when nothing is left to end', async () => {
    const login = newLogin();
    const first = await device(login);
    const second = await device(login, new IdpBrowser(idp.issuer), b);
    const [key] = idp.keys;
    const subOnly = await signToken(key, logoutClaims(idp, { sub: login }), { typ: 'logout+jwt' });
    const response = await postLogoutToken(b.url, subOnly);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    for (const session of [first, second]) for (const api of [a, b]) expect(await statusOn(api, session)).toMatchObject({ status: 401, reason: 'idp_logout' });

    const again = await postLogoutToken(a.url, await signToken(key, logoutClaims(idp, { sub: login })));
    expect(again.status).toBe(200);
    const counts = (await idpLogoutEvents(first.userId)).map((event) => event.metadata['count']);
    expect(counts).toEqual([2, 0]);
  });

  it('should refuse forged, replayed, wrong-audience, alg none, expired and event-less logout tokens with 400, ending nothing', async () => {
    const login = newLogin();
    const session = await device(login);
    const [key] = idp.keys;
    const valid = logoutClaims(idp, { sid: session.providerSid, sub: login });
    const now = Math.floor(Date.now() / 1000);
    const stranger = await generateSigningKey(key.kid);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'logout+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(valid)).toString('base64url')}.`;
    const { events: _events, ...withoutEvents } = valid;
    const cases: Array<[string, Promise<string> | string, RegExp]> = [
      ['alg none', unsigned, /not signed/],
      ['signed by a key the provider does not publish (same kid)', signToken(stranger, valid), /signature/],
      ['signed by an unknown kid', signToken({ ...stranger, kid: 'not-published' }, valid), /no key/],
      ['wrong audience', signToken(key, { ...valid, aud: 'another-client' }), /aud/],
      ['wrong issuer', signToken(key, { ...valid, iss: 'https://evil.example' }), /iss/],
      ['expired', signToken(key, { ...valid, iat: now - 240, exp: now - 60 }), /exp/],
      ['issued too long ago', signToken(key, { ...valid, iat: now - 600, exp: now + 60 }), /iat/],
      ['issued in the future', signToken(key, { ...valid, iat: now + 600, exp: now + 900 }), /iat/],
      ['without events', signToken(key, withoutEvents), /events/],
      ['with another event', signToken(key, { ...valid, events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {} } }), /events/],
      ['with a non-object event value', signToken(key, { ...valid, events: { [BACKCHANNEL_LOGOUT_EVENT]: true } }), /object/],
      ['with a nonce (an ID token)', signToken(key, { ...valid, nonce: 'n-0S6_WzA2Mj' }), /nonce/],
      ['without sid and sub', signToken(key, { ...valid, sid: undefined, sub: undefined }), /sid or sub/],
      ['without jti', signToken(key, { ...valid, jti: undefined }), /jti/],
      ['typed as another kind of JWT', signToken(key, valid, { typ: 'at+jwt' }), /typ/],
      ['not a JWT', 'not-a-token', /not a JWT/],
    ];
    for (const [name, token, description] of cases) {
      const response = await postLogoutToken(name.length % 2 ? a.url : b.url, await token);
      expect({ name, status: response.status, cacheControl: response.headers.get('cache-control') }).toEqual({ name, status: 400, cacheControl: 'no-store' });
      expect({ name, body: response.body }).toEqual({ name, body: { error: 'invalid_request', error_description: expect.stringMatching(description) } });
    }
    const json = await new BrowserClient(a.url).post('/api/auth/oidc/backchannel-logout', { json: { logout_token: await signToken(key, valid) } });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
    for (const api of [a, b]) expect(await statusOn(api, session)).toMatchObject({ status: 200 });
    expect(await idpLogoutEvents(session.userId)).toEqual([]);

    // The valid token works once; the same token again (any instance) is a replay.
    const token = await signToken(key, valid);
    expect((await postLogoutToken(a.url, token)).status).toBe(200);
    const replay = await postLogoutToken(b.url, token);
    expect(replay.status).toBe(400);
    expect(replay.body.error_description).toMatch(/replay/);
    expect(await idpLogoutEvents(session.userId)).toHaveLength(1);
  });

  it('should be exempt from the XSRF and Origin rules: a logout token needs no cookie, and a browser cookie or Origin changes nothing', async () => {
    const login = newLogin();
    const session = await device(login);
    const [key] = idp.keys;
    const crossSite = new BrowserClient(a.url, { origin: 'https://idp.elsewhere.example' });
    crossSite.cookies.set('sid', session.sid);
    const response = await crossSite.post('/api/auth/oidc/backchannel-logout', {
      form: { logout_token: await signToken(key, logoutClaims(idp, { sid: session.providerSid })) },
      xsrf: false,
    });
    expect(response.status).toBe(200);
    expect(await statusOn(b, session)).toMatchObject({ status: 401, reason: 'idp_logout' });
  });

  it('should still end the session everywhere, and still refuse a replay, when the receiving instance has lost Redis', async () => {
    const login = newLogin();
    const session = await device(login);
    const [key] = idp.keys;
    // c shares the database but has a Redis of its own, which then dies: no message from c reaches a or b.
    const redis = await startThrowawayRedis();
    const c = await startApi({
      databaseUrl: scope.databaseUrl,
      redisUrl: redis.url,
      env: { ...oidcEnv(idp.issuer), REDIS_PREFIX: scope.redisPrefix, PUBLIC_ORIGIN: ORIGIN },
    });
    try {
      for (const api of [a, b]) expect(await statusOn(api, session)).toMatchObject({ status: 200 });
      await redis.stop();
      const token = await signToken(key, logoutClaims(idp, { sid: session.providerSid }));
      const started = Date.now();
      const response = await postLogoutToken(c.url, token);
      expect(response.status).toBe(200);
      // Answered only once no instance can still trust a cache entry from before the commit (the 2 s lease).
      expect(Date.now() - started).toBeLessThan(5000);
      for (const api of [a, b, c]) expect(await statusOn(api, session)).toEqual({ status: 401, code: 'session_ended', reason: 'idp_logout' });
      // The replay check lives in PostgreSQL, with the ending: Redis being down does not open it.
      expect((await postLogoutToken(a.url, token)).body.error_description).toMatch(/replay/);
    } finally {
      await c.stop();
      await redis.dispose();
    }
  });

  it("should send the browser to the provider's end-session endpoint after ending the session here first (RP-initiated logout)", async () => {
    const login = newLogin();
    const idpBrowser = new IdpBrowser(idp.issuer);
    const browser = new BrowserClient(a.url);
    await ssoSignIn(browser, idpBrowser, login);
    const me = (await browser.get('/api/auth/me')).body;
    const sid = browser.cookie('sid')!;
    const deliveriesBefore = idp.backchannelDeliveries.length;

    const logout = await browser.post('/api/auth/logout', { json: { returnTo: '/devices' } });
    expect(logout.status).toBe(200);
    const redirectTo = new URL(logout.body.redirectTo);
    expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(redirectTo.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(redirectTo.searchParams.get('post_logout_redirect_uri')).toBe(`${ORIGIN}/login?logged_out=1`);
    const idToken = redirectTo.searchParams.get('id_token_hint')!;
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iss: idp.issuer, aud: CLIENT_ID, sub: login });
    // The provider's real ID token, signed by its real key, is still never a logout token (OIDC-01).
    const confused = await postLogoutToken(b.url, idToken);
    expect(confused.status).toBe(400);
    expect(confused.body.error_description).toMatch(/jti|events|nonce/);
    const state = redirectTo.searchParams.get('state')!;
    expect(state.length).toBeGreaterThan(20);

    // Ended here before the browser goes anywhere: both instances reject it already (OIDC-04).
    for (const api of [a, b]) {
      const response = await withCookie(api.url, sid).get('/api/auth/me');
      expect(response.body).toMatchObject({ code: 'session_ended', reason: 'logout' });
    }
    expect(await db.query('SELECT 1 FROM auth_sso_logout_hints WHERE session_id = $1', [me.session.id])).toEqual([]);

    // The provider accepts the hint, ends its own session, and sends the browser back with our state.
    const back = await idpBrowser.follow(redirectTo.href, login);
    expect(`${back.origin}${back.pathname}`).toBe(`${ORIGIN}/login`);
    expect(back.searchParams.get('logged_out')).toBe('1');
    expect(back.searchParams.get('state')).toBe(state);
    // Its back-channel call for that provider session found nothing left to end.
    expect(idp.backchannelDeliveries.slice(deliveriesBefore)).toEqual([expect.objectContaining({ ok: true })]);
    expect((await idpLogoutEvents(me.user.id)).map((event) => event.metadata['count'])).toEqual([0]);

    const anyone = new BrowserClient(b.url);
    expect((await anyone.get(`/api/auth/oidc/logged-out?state=${encodeURIComponent(state)}`)).status).toBe(204);
    // One character changed in the middle, where every base64url character carries six bits (a change
    // at the end can fall on bits the decoder ignores, and then it is the same state).
    const middle = Math.floor(state.length / 2);
    const tampered = `${state.slice(0, middle)}${state[middle] === 'A' ? 'B' : 'A'}${state.slice(middle + 1)}`;
    expect((await anyone.get(`/api/auth/oidc/logged-out?state=${encodeURIComponent(tampered)}`)).status).toBe(400);
    expect((await anyone.get('/api/auth/oidc/logged-out?state=forged')).status).toBe(400);
  });

  it('should answer an HTML form logout with a 303 to the provider, and keep logout local with OIDC_RP_LOGOUT=false', async () => {
    const login = newLogin();
    const browser = new BrowserClient(a.url);
    await ssoSignIn(browser, new IdpBrowser(idp.issuer), login);
    const form = await browser.post('/api/auth/logout', {
      form: { _csrf: decodeURIComponent(browser.cookie('XSRF-TOKEN')!) },
      xsrf: false,
      headers: { accept: 'text/html' },
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toMatch(new RegExp(`^${idp.issuer}/session/end\\?`));

    const local = await startApi({
      databaseUrl: scope.databaseUrl,
      env: { ...oidcEnv(idp.issuer, { OIDC_RP_LOGOUT: 'false' }), REDIS_PREFIX: scope.redisPrefix, PUBLIC_ORIGIN: ORIGIN },
    });
    try {
      const other = new BrowserClient(local.url);
      await ssoSignIn(other, new IdpBrowser(idp.issuer), newLogin());
      const response = await other.post('/api/auth/logout', { json: {} });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ redirectTo: '/login?logged_out=1' });
    } finally {
      await local.stop();
    }
  });

  // Last: it restarts the provider, which forgets its sessions.
  it('should follow a key rotation: a token signed with a key the provider published since is accepted after one JWKS refetch', async () => {
    const login = newLogin();
    const first = await device(login);
    const [oldKey] = idp.keys;
    // Any verification now has the current JWKS cached.
    expect((await postLogoutToken(a.url, await signToken(oldKey, logoutClaims(idp, { sub: `nobody-${randomUUID()}` })))).status).toBe(200);

    await idp.stop();
    const newKey = await generateSigningKey();
    idp = await startIdp([newKey, oldKey]);
    // The refetch on an unknown kid is rate limited (a cooldown of 5 s after the last fetch).
    await delay(5500);
    const rotated = await postLogoutToken(a.url, await signToken(newKey, logoutClaims(idp, { sid: first.providerSid })));
    expect(rotated.status).toBe(200);
    expect(await statusOn(b, first)).toMatchObject({ status: 401, reason: 'idp_logout' });
    const unknown = await postLogoutToken(a.url, await signToken(await generateSigningKey('never-published'), logoutClaims(idp, { sub: login })));
    expect(unknown.status).toBe(400);
  });
});
