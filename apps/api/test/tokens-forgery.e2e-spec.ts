import { createHmac, generateKeyPairSync, randomBytes, randomUUID, sign as rsaSign } from 'node:crypto';
import { decodeJwt } from 'jose';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { type Account, PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { issueTokens, type IssuedTokens, me } from './support/tokens.js';
import { SSO_PUBLIC_OPERATIONS } from './support/sso.js';

// A known secret, so the tests can sign tokens with the right key and with wrong ones.
const JWT_SECRET = randomBytes(48).toString('base64url');
const ATTACKER_SECRET = randomBytes(48).toString('base64url');

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with HMAC (HS256 by default). */
function hmacToken(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string, hash = 'sha256'): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** Routes that let anonymous callers through; with a forged bearer they may answer anything but a 5xx. */
const PUBLIC_ROUTES = [
  'POST /api/auth/login',
  'POST /api/auth/register',
  'GET /api/auth/registration',
  'POST /api/auth/token',
  'POST /api/auth/token/refresh',
  'POST /api/auth/token/revoke',
  'POST /api/auth/logout',
  'GET /api/auth/logout',
  'GET /api/health',
  // Open unless METRICS_TOKEN is set; its bearer is that token, not a session.
  'GET /metrics',
  // Single sign-on (404 here but the status: the suite's app has none).
  ...SSO_PUBLIC_OPERATIONS,
];

interface Route {
  method: string;
  path: string;
}

describe('forged and malformed bearer tokens (TOK-01, TOK-02, TOK-03)', () => {
  let api: ApiProcess;
  let db: TestDatabase;
  let attacker: Account;
  let victim: Account;
  let attackerTokens: IssuedTokens;
  let victimTokens: IssuedTokens;
  let victimCookieSessionId: string;
  let routes: Route[];

  /** Claims the server would accept for the attacker's own session; tests override some of them. */
  function validClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const claims = decodeJwt<Record<string, unknown>>(attackerTokens.access_token);
    return { ...claims, jti: randomUUID(), ...overrides };
  }

  const header = { alg: 'HS256', typ: 'at+jwt' };

  beforeAll(async () => {
    api = await startApi({ env: { JWT_SECRET } });
    db = new TestDatabase();
    [attacker, victim] = await Promise.all([registerAccount(api.url, 'attacker'), registerAccount(api.url, 'victim')]);
    [attackerTokens, victimTokens] = await Promise.all([issueTokens(api.url, attacker), issueTokens(api.url, victim)]);
    victimCookieSessionId = (await signIn(api.url, victim)).sessionId;
    // Every route the app serves, from its OpenAPI document (the router as Nest registered it).
    const document = await new BrowserClient(api.url).request('GET', '/api/docs-json');
    routes = Object.entries(document.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, victimTokens.session_id) })),
    );
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  it('should accept a token signed here with the right key and valid claims (the control for every forgery below)', async () => {
    const token = hmacToken(header, validClaims(), JWT_SECRET);
    const response = await me(api.url, token);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ user: { id: attacker.id }, session: { id: attackerTokens.session_id, method: 'bearer' } });
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/api/auth/me' },
        { method: 'POST', path: '/api/auth/logout-all' },
      ]),
    );
  });

  /** Each forgery: a name and the full Authorization header value. */
  function forgeries(): Array<[string, string]> {
    const [validHeader, validPayload, validSignature] = attackerTokens.access_token.split('.') as [string, string, string];
    const nowSeconds = Math.floor(Date.now() / 1000);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaHeader = { alg: 'RS256', typ: 'at+jwt', jwk: rsa.publicKey.export({ format: 'jwk' }) };
    const rsaInput = `${encode(rsaHeader)}.${encode(validClaims())}`;
    const edited = (overrides: Record<string, unknown>) =>
      `${validHeader}.${encode({ ...decodeJwt(attackerTokens.access_token), ...overrides })}.${validSignature}`;
    return [
      ['alg none, valid claims, no signature', `Bearer ${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(validClaims())}.`],
      ['alg None, signed with the right key', `Bearer ${hmacToken({ alg: 'None', typ: 'at+jwt' }, validClaims(), JWT_SECRET)}`],
      ['HS256 signed with a wrong key', `Bearer ${hmacToken(header, validClaims(), ATTACKER_SECRET)}`],
      ['HS512 signed with the right key (algorithm not allowed)', `Bearer ${hmacToken({ alg: 'HS512', typ: 'at+jwt' }, validClaims(), JWT_SECRET, 'sha512')}`],
      ['a real token with its signature stripped', `Bearer ${validHeader}.${validPayload}.`],
      ['a real token without its signature segment', `Bearer ${validHeader}.${validPayload}`],
      ['payload edited to the victim (sub and sid), old signature', `Bearer ${edited({ sub: victim.id, sid: victimTokens.session_id })}`],
      ['payload edited to the victim session (sid only), old signature', `Bearer ${edited({ sid: victimTokens.session_id })}`],
      ['payload edited to a later exp, old signature', `Bearer ${edited({ exp: nowSeconds + 86_400 })}`],
      ['right key, typ missing', `Bearer ${hmacToken({ alg: 'HS256' }, validClaims(), JWT_SECRET)}`],
      ['right key, typ JWT', `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, validClaims(), JWT_SECRET)}`],
      ['right key, typ of an ID token', `Bearer ${hmacToken({ alg: 'HS256', typ: 'id_token+jwt' }, validClaims(), JWT_SECRET)}`],
      ['right key, wrong iss', `Bearer ${hmacToken(header, validClaims({ iss: 'https://evil.example' }), JWT_SECRET)}`],
      ['right key, wrong aud', `Bearer ${hmacToken(header, validClaims({ aud: 'https://other-service.example' }), JWT_SECRET)}`],
      ['right key, iss and aud missing', `Bearer ${hmacToken(header, validClaims({ iss: undefined, aud: undefined }), JWT_SECRET)}`],
      ['right key, nbf two minutes ahead', `Bearer ${hmacToken(header, validClaims({ nbf: nowSeconds + 120 }), JWT_SECRET)}`],
      ['right key, sid not a UUID', `Bearer ${hmacToken(header, validClaims({ sid: 'not-a-uuid' }), JWT_SECRET)}`],
      ['right key, sid an SQL fragment', `Bearer ${hmacToken(header, validClaims({ sid: "' OR 1=1 --" }), JWT_SECRET)}`],
      ['right key, sid of no session', `Bearer ${hmacToken(header, validClaims({ sid: randomUUID() }), JWT_SECRET)}`],
      ['right key, sid of a cookie session', `Bearer ${hmacToken(header, validClaims({ sub: victim.id, sid: victimCookieSessionId }), JWT_SECRET)}`],
      ['right key, sub of another user', `Bearer ${hmacToken(header, validClaims({ sub: victim.id }), JWT_SECRET)}`],
      ['right key, sv a string', `Bearer ${hmacToken(header, validClaims({ sv: '0' }), JWT_SECRET)}`],
      ['right key, jti missing', `Bearer ${hmacToken(header, validClaims({ jti: undefined }), JWT_SECRET)}`],
      [
        'HS256 with an embedded jwk, signed by that key',
        `Bearer ${hmacToken({ ...header, jwk: { kty: 'oct', k: Buffer.from(ATTACKER_SECRET).toString('base64url') } }, validClaims(), ATTACKER_SECRET)}`,
      ],
      [
        'RS256 with an embedded jwk, signed by that key',
        `Bearer ${rsaInput}.${rsaSign('sha256', Buffer.from(rsaInput), rsa.privateKey).toString('base64url')}`,
      ],
      [
        'HS256 with a jku, signed by the key it names',
        `Bearer ${hmacToken({ ...header, jku: 'https://evil.example/jwks.json', kid: 'evil' }, validClaims(), ATTACKER_SECRET)}`,
      ],
      ['the refresh token presented as a bearer', `Bearer ${attackerTokens.refresh_token}`],
      ['a 10 KB Authorization header', `Bearer ${'A'.repeat(10 * 1024)}`],
      ['a 10 KB token that is a valid JWT', `Bearer ${hmacToken(header, validClaims({ pad: 'x'.repeat(10 * 1024) }), JWT_SECRET)}`],
      ['Bearer with no token', 'Bearer '],
      ['Bearer with two tokens', `Bearer ${attackerTokens.access_token} ${attackerTokens.access_token}`],
      ['Basic credentials', `Basic ${Buffer.from(`${attacker.email}:${PASSWORD}`).toString('base64')}`],
      ['an empty header', ''],
      ['three dots', 'Bearer ...'],
      ['not base64 JSON', 'Bearer e30.bm90IGpzb24.c2ln'],
    ];
  }

  it('should answer every forgery with 401 unauthenticated on GET /api/auth/me and POST /api/auth/logout-all, never 5xx', async () => {
    const client = new BrowserClient(api.url);
    const failures: string[] = [];
    for (const [name, authorization] of forgeries()) {
      for (const [method, path] of [
        ['GET', '/api/auth/me'],
        ['POST', '/api/auth/logout-all'],
      ] as const) {
        const response = await client.request(method, path, { headers: { authorization }, ...(method === 'POST' ? { json: {} } : {}) });
        if (response.status !== 401 || response.body?.code !== 'unauthenticated') {
          failures.push(`${name}: ${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect((await me(api.url, attackerTokens.access_token)).status).toBe(200);
    expect((await me(api.url, victimTokens.access_token)).status).toBe(200);
  });

  it('should answer every forgery on every route with 401 (public routes: anything but 5xx), and change nothing', async () => {
    const eventsBefore = await db.query(`SELECT count(*)::int AS n FROM auth_audit_events WHERE user_id = ANY($1::uuid[])`, [[attacker.id, victim.id]]);
    const failures: string[] = [];
    for (const [name, authorization] of forgeries()) {
      const answers = await Promise.all(
        routes.map(async (route) => {
          const init = { headers: { authorization }, ...(route.method === 'GET' ? {} : { json: {} }) };
          return { route, response: await new BrowserClient(api.url).request(route.method, route.path, init) };
        }),
      );
      for (const { route, response } of answers) {
        const isPublic = PUBLIC_ROUTES.includes(`${route.method} ${route.path}`);
        const leaked = typeof response.body === 'object' && JSON.stringify(response.body).includes(attackerTokens.access_token);
        if (response.status >= 500 || (!isPublic && response.status !== 401) || leaked) {
          failures.push(`${name}: ${route.method} ${route.path} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    for (const tokens of [attackerTokens, victimTokens]) expect((await me(api.url, tokens.access_token)).status).toBe(200);
    const ended = await db.query(`SELECT id FROM auth_sessions WHERE user_id = ANY($1::uuid[]) AND ended_at IS NOT NULL`, [[attacker.id, victim.id]]);
    expect(ended).toEqual([]);
    const eventsAfter = await db.query(`SELECT count(*)::int AS n FROM auth_audit_events WHERE user_id = ANY($1::uuid[])`, [[attacker.id, victim.id]]);
    expect(eventsAfter[0]['n']).toBe(eventsBefore[0]['n']);
  });

  it('should answer a token 61 s past exp on a live session with token_expired, on reads and writes (TOK-01)', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = hmacToken(header, validClaims({ iat: nowSeconds - 961, exp: nowSeconds - 61 }), JWT_SECRET);
    for (const [method, path] of [
      ['GET', '/api/auth/me'],
      ['POST', '/api/auth/logout-all'],
    ] as const) {
      const response = await new BrowserClient(api.url).request(method, path, { bearer: token, ...(method === 'POST' ? { json: {} } : {}) });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 'token_expired' });
    }
    // Forged and expired: the signature is judged first, so it is just unauthenticated.
    const forged = hmacToken(header, validClaims({ iat: nowSeconds - 961, exp: nowSeconds - 61 }), ATTACKER_SECRET);
    expect((await me(api.url, forged)).body).toMatchObject({ code: 'unauthenticated' });
    expect((await me(api.url, attackerTokens.access_token)).status).toBe(200);
  });

  // Contract, Conventions: `unauthenticated` is for "superseded credentials", `token_expired` means "refresh it";
  // Credential changes: "The old secrets get 401 unauthenticated". A superseded token stays superseded once past exp.
  it('should answer a superseded access token (signed before a reauth) with unauthenticated even once it is past exp', async () => {
    const account = await registerAccount(api.url, 'rotated');
    const tokens = await issueTokens(api.url, account);
    const reauth = await new BrowserClient(api.url).request('POST', '/api/auth/reauth', { json: { password: PASSWORD }, bearer: tokens.access_token });
    expect(reauth.status).toBe(200);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const old = decodeJwt(tokens.access_token);
    // The same claims as the superseded token (old generation), only past exp.
    const expiredOld = hmacToken(header, { ...old, jti: randomUUID(), iat: nowSeconds - 961, exp: nowSeconds - 61 }, JWT_SECRET);
    const response = await me(api.url, expiredOld);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'unauthenticated' });
  });
});
