import { type ApiProcess, startApi, startApis } from '../../../test-support/api-process.js';
import { freePort } from '../../../test-support/free-port.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { generateSigningKey, startThrowawayIdp, type ThrowawayIdp } from '../../../test-support/throwaway-idp.js';
import { registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { type Isolated, isolated, waitFor, withCookie } from './support/jobs.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  CREDENTIAL_CHANGE,
  IdpBrowser,
  logoutClaims,
  newLogin,
  oidcEnv,
  pushSet,
  SESSION_REVOKED,
  setClaims,
  signToken,
  ssoSignIn,
  waitUntilSsoAvailable,
} from './support/sso.js';

const ORIGIN = 'http://signoff.localhost';

describe("single sign-on: Shared Signals (SSF push, RFC 8935; SETs, RFC 8417; CAEP) from a real OpenID Provider's keys, on two instances", () => {
  let scope: Isolated;
  let a: ApiProcess;
  let b: ApiProcess;
  let idp: ThrowawayIdp;
  let db: TestDatabase;

  const signInThroughIdp = async (login: string, on: ApiProcess = a) => {
    const browser = new BrowserClient(on.url);
    const { callback } = await ssoSignIn(browser, new IdpBrowser(idp.issuer), login);
    expect(callback.status).toBe(303);
    const me = (await browser.get('/api/auth/me')).body;
    const row = await db.session(me.session.id);
    return { sid: browser.cookie('sid')!, sessionId: me.session.id as string, userId: me.user.id as string, providerSid: String(row!['sso_sid']) };
  };

  const statusOn = async (api: ApiProcess, sid: string) => {
    const response = await withCookie(api.url, sid).get('/api/auth/me');
    return { status: response.status, reason: response.body.reason };
  };

  beforeAll(async () => {
    scope = isolated('sso_ssf');
    db = new TestDatabase(scope.databaseUrl);
    const idpPort = await freePort();
    [a, b] = (await startApis(2, {
      databaseUrl: scope.databaseUrl,
      env: { ...oidcEnv(`http://127.0.0.1:${idpPort}`), REDIS_PREFIX: scope.redisPrefix, PUBLIC_ORIGIN: ORIGIN },
    })) as [ApiProcess, ApiProcess];
    idp = await startThrowawayIdp({
      port: idpPort,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      appOrigins: [ORIGIN],
      backchannelLogoutUri: `${a.url}/api/auth/oidc/backchannel-logout`,
    });
    await Promise.all([a, b].map((api) => waitUntilSsoAvailable(api.url)));
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await idp?.stop();
    await db?.close();
    await scope?.drop();
  });

  it('session-revoked with the provider session: 202, that session ends on both instances (idp_logout), the other stays', async () => {
    const login = newLogin();
    const revoked = await signInThroughIdp(login);
    const kept = await signInThroughIdp(login, b);
    const set = await signToken(idp.keys[0], setClaims(idp, SESSION_REVOKED, { sub: login, sid: revoked.providerSid }), { typ: 'secevent+jwt' });
    const response = await pushSet(b.url, set);
    expect(response.status).toBe(202);
    for (const api of [a, b]) expect(await statusOn(api, revoked.sid)).toEqual({ status: 401, reason: 'idp_logout' });
    for (const api of [a, b]) expect(await statusOn(api, kept.sid)).toMatchObject({ status: 200 });
    const [event] = await db.query<{ metadata: Record<string, unknown>; actor_id: string | null }>(
      `SELECT metadata, actor_id FROM auth_audit_events WHERE type = 'logout_everywhere' AND user_id = $1`,
      [revoked.userId],
    );
    expect(event).toMatchObject({
      actor_id: null,
      metadata: expect.objectContaining({ count: 1, issuer: idp.issuer, providerSid: revoked.providerSid, source: 'ssf_session_revoked' }),
    });

    // Without a session: every session of that subject from the provider.
    const all = await pushSet(a.url, await signToken(idp.keys[0], setClaims(idp, SESSION_REVOKED, { sub: login })));
    expect(all.status).toBe(202);
    for (const api of [a, b]) expect(await statusOn(api, kept.sid)).toEqual({ status: 401, reason: 'idp_logout' });
  });

  it('credential-change: every session of the linked user ends as a password change does (password_change), the password session too, and the clean-up job marks the rows', async () => {
    const account = await registerAccount(a.url, 'ssf-credentials');
    const password = await signIn(a.url, account);
    const sso = await signInThroughIdp(account.email, b);
    expect(sso.userId).toBe(account.id);
    const set = await signToken(idp.keys[0], setClaims(idp, CREDENTIAL_CHANGE, { sub: account.email }, { credential_type: 'password', change_type: 'update' }));
    const response = await pushSet(a.url, set);
    expect(response.status).toBe(202);
    for (const sid of [password.browser.cookie('sid')!, sso.sid]) {
      for (const api of [a, b]) expect(await statusOn(api, sid)).toEqual({ status: 401, reason: 'password_change' });
    }
    const types = (await db.auditEvents(account.id)).map((event) => [event['type'], event['reason']]);
    expect(types).toEqual(
      expect.arrayContaining([
        ['password_changed', null],
        ['logout_everywhere', 'password_change'],
      ]),
    );
    const [changed] = (await db.auditEvents(account.id)).filter((event) => event['type'] === 'password_changed');
    expect(changed).toMatchObject({ actor_id: null, metadata: { note: expect.stringContaining(idp.issuer) } });
    await waitFor('the clean-up job to mark both rows', async () => {
      const rows = await db.query<{ end_reason: string | null }>('SELECT end_reason FROM auth_sessions WHERE user_id = $1', [account.id]);
      return rows.every((row) => row.end_reason === 'password_change');
    });
  });

  it('should work the same on Fastify (HTTP_ADAPTER=fastify): sign-in, a SET body of application/secevent+jwt, a form-encoded logout token', async () => {
    const fastify = await startApi({
      databaseUrl: scope.databaseUrl,
      env: { ...oidcEnv(idp.issuer), REDIS_PREFIX: scope.redisPrefix, PUBLIC_ORIGIN: ORIGIN, HTTP_ADAPTER: 'fastify' },
    });
    try {
      const login = newLogin();
      const first = await signInThroughIdp(login, fastify);
      const second = await signInThroughIdp(login, fastify);
      const set = await signToken(idp.keys[0], setClaims(idp, SESSION_REVOKED, { sub: login, sid: first.providerSid }));
      expect((await pushSet(fastify.url, set)).status).toBe(202);
      expect(await statusOn(a, first.sid)).toEqual({ status: 401, reason: 'idp_logout' });
      const token = await signToken(idp.keys[0], logoutClaims(idp, { sid: second.providerSid }), { typ: 'logout+jwt' });
      const response = await new BrowserClient(fastify.url).post('/api/auth/oidc/backchannel-logout', { form: { logout_token: token } });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await statusOn(b, second.sid)).toEqual({ status: 401, reason: 'idp_logout' });
      const refused = await pushSet(fastify.url, 'not-a-set');
      expect(refused).toMatchObject({ status: 400, body: { err: 'invalid_request' } });
    } finally {
      await fastify.stop();
    }
  });

  it('should refuse forged, replayed and malformed SETs with 400 {err, description}, changing nothing', async () => {
    const login = newLogin();
    const session = await signInThroughIdp(login);
    const valid = setClaims(idp, SESSION_REVOKED, { sub: login, sid: session.providerSid });
    const [key] = idp.keys;
    const stranger = await generateSigningKey(key.kid);
    const cases: Array<[string, () => ReturnType<typeof pushSet>, RegExp]> = [
      ['signed by a key the provider does not publish', async () => pushSet(a.url, await signToken(stranger, valid)), /signature/],
      ['wrong audience', async () => pushSet(b.url, await signToken(key, { ...valid, aud: 'someone-else' })), /aud/],
      ['wrong issuer', async () => pushSet(a.url, await signToken(key, { ...valid, iss: 'https://evil.example' })), /iss/],
      ['too old', async () => pushSet(b.url, await signToken(key, { ...valid, iat: Math.floor(Date.now() / 1000) - 900 })), /iat/],
      [
        'unsupported event',
        async () =>
          pushSet(a.url, await signToken(key, setClaims(idp, 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change', { sub: login }))),
        /unsupported event/,
      ],
      [
        'two events',
        async () => pushSet(a.url, await signToken(key, { ...valid, events: { ...(valid['events'] as object), [CREDENTIAL_CHANGE]: {} } })),
        /exactly one/,
      ],
      ['no subject', async () => pushSet(a.url, await signToken(key, { ...valid, events: { [SESSION_REVOKED]: { event_timestamp: 1 } } })), /subject/],
      [
        'a subject of another issuer',
        async () =>
          pushSet(
            a.url,
            await signToken(key, { ...valid, events: { [SESSION_REVOKED]: { subject: { format: 'iss_sub', iss: 'https://other.example', sub: login } } } }),
          ),
        /subject's iss/,
      ],
      ['a logout token', async () => pushSet(a.url, await signToken(key, logoutClaims(idp, { sid: session.providerSid }), { typ: 'logout+jwt' })), /typ/],
      // A body of a type no parser reads (text/plain) is a 415 before any route runs (robustness.e2e-spec.ts);
      // one the parsers read but that is not a SET reaches this route and is refused here.
      ['a body of another type', async () => pushSet(b.url, await signToken(key, valid), 'application/x-www-form-urlencoded'), /secevent\+jwt/],
      ['not a JWT', async () => pushSet(a.url, 'hello'), /not a JWT/],
    ];
    for (const [name, send, description] of cases) {
      const response = await send();
      expect({ name, status: response.status, body: response.body }).toEqual({
        name,
        status: 400,
        body: { err: 'invalid_request', description: expect.stringMatching(description) },
      });
    }
    for (const api of [a, b]) expect(await statusOn(api, session.sid)).toMatchObject({ status: 200 });

    const token = await signToken(key, valid);
    expect((await pushSet(a.url, token)).status).toBe(202);
    const replay = await pushSet(b.url, token);
    expect(replay.status).toBe(400);
    expect(replay.body).toEqual({ err: 'invalid_request', description: expect.stringMatching(/replay/) });
  });
});
