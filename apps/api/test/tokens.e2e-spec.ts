import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { type ApiProcess, startApi, startApis } from '../../../test-support/api-process.js';
import { BrowserClient, rawRequest } from '../../../test-support/http-client.js';
import { type Account, PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { issueTokens, me, refresh, remember, revoke, seenTokens } from './support/tokens.js';

// CLOCK_TOLERANCE_SECONDS in libs/auth-sessions/src/tokens/access-token.service.ts.
const CLOCK_TOLERANCE_SECONDS = 5;
const JWT_SECRET = randomBytes(48).toString('base64url');
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;
// One deployment behind one origin: tokens name it as iss and aud, so both instances must share it.
const SHARED_ORIGIN = 'http://signoff.localhost';

describe('bearer mode: access tokens bound to their session, rotating refresh tokens (demo app)', () => {
  // a and b: two instances of one deployment (one database, origin and JWT secret). short: 1 s access tokens, 1 s reuse grace.
  let a: ApiProcess;
  let b: ApiProcess;
  let short: ApiProcess;
  let db: TestDatabase;
  const accounts: Account[] = [];

  async function newAccount(api: ApiProcess = a): Promise<Account> {
    const account = await registerAccount(api.url, 'tokens');
    accounts.push(account);
    return account;
  }

  beforeAll(async () => {
    const [pair, single] = await Promise.allSettled([
      startApis(2, { env: { JWT_SECRET, PUBLIC_ORIGIN: SHARED_ORIGIN } }),
      startApi({ env: { ACCESS_TOKEN_SECONDS: '1', REFRESH_REUSE_GRACE_SECONDS: '1' } }),
    ]);
    if (pair.status === 'fulfilled') [a, b] = pair.value as [ApiProcess, ApiProcess];
    if (single.status === 'fulfilled') short = single.value;
    db = new TestDatabase();
    if (pair.status === 'rejected') throw pair.reason;
    if (single.status === 'rejected') throw single.reason;
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), short?.stop()]);
    await db?.close();
  });

  describe('POST /api/auth/token', () => {
    it('should answer a short-lived HS256 at+jwt bound to the new bearer session and an opaque refresh token, not cacheable', async () => {
      const account = await newAccount();
      const response = remember(await new BrowserClient(a.url).request('POST', '/api/auth/token', { json: { email: account.email, password: PASSWORD } }));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.setCookies).toEqual([]);
      expect(response.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.stringMatching(REFRESH_TOKEN),
        token_type: 'Bearer',
        expires_in: 900,
        session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      const { access_token: accessToken, session_id: sessionId } = response.body;
      expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
      const claims = decodeJwt(accessToken);
      expect(claims).toMatchObject({ sub: account.id, sid: sessionId, sv: expect.any(Number), jti: expect.any(String), iss: a.origin, aud: a.origin });
      expect(claims.exp! - claims.iat!).toBe(900);
      expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(5);

      const current = await me(a.url, accessToken);
      expect(current.status).toBe(200);
      expect(current.headers.get('cache-control')).toBe('no-store');
      expect(current.body).toMatchObject({ user: { id: account.id, email: account.email }, session: { id: sessionId, method: 'bearer' } });
      expect(await db.session(sessionId)).toMatchObject({ kind: 'bearer', user_id: account.id });
    });

    it('should refuse a wrong password with 401 and no tokens', async () => {
      const account = await newAccount();
      const response = await new BrowserClient(a.url).request('POST', '/api/auth/token', { json: { email: account.email, password: 'not the password' } });
      expect(response.status).toBe(401);
      expect(JSON.stringify(response.body)).not.toMatch(/access_token|refresh_token/);
    });
  });

  describe('ending a bearer session: no window, on every instance (TOK-04, TOK-10)', () => {
    it('should reject on B, at once, the access and refresh tokens of a session logged out with its bearer through A', async () => {
      const account = await newAccount();
      const tokens = await issueTokens(a.url, account);
      expect((await me(b.url, tokens.access_token)).status).toBe(200);

      // A bearer POST needs no XSRF value.
      const logout = await new BrowserClient(a.url).request('POST', '/api/auth/logout', { bearer: tokens.access_token });
      expect(logout.status).toBe(200);

      const rejected = await me(b.url, tokens.access_token);
      expect(rejected.status).toBe(401);
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'logout' });
      const refreshed = await refresh(b.url, tokens.refresh_token);
      expect(refreshed.status).toBe(401);
      expect(refreshed.body).toMatchObject({ code: 'session_ended', reason: 'logout' });
      // Revocation keys on the session, not on the token's bytes: re-encodings, and even a token newly
      // signed with the deployment's key for the ended session (new jti, iat and exp), stay rejected.
      const [header, payload, signature] = tokens.access_token.split('.') as [string, string, string];
      const resigned = await new SignJWT({ ...decodeJwt(tokens.access_token), jti: randomUUID() })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(JWT_SECRET));
      for (const variant of [`${tokens.access_token}=`, `${tokens.access_token}==`, `${header}.${payload}=.${signature}`, resigned]) {
        const replay = await me(b.url, variant);
        expect(replay.status).toBe(401);
      }
      expect((await me(b.url, resigned)).body).toMatchObject({ code: 'session_ended', reason: 'logout' });
      const row = await db.session(tokens.session_id);
      expect(row).toMatchObject({ end_reason: 'logout', ended_by_id: account.id });
      const events = (await db.auditEvents(account.id)).filter((event) => event['type'] === 'logout');
      expect(events).toEqual([expect.objectContaining({ session_id: tokens.session_id, reason: 'logout' })]);
      const liveRefreshTokens = await db.query(`SELECT 1 FROM auth_refresh_tokens WHERE session_id = $1 AND revoked_at IS NULL`, [tokens.session_id]);
      expect(liveRefreshTokens).toEqual([]);
    });

    it('should end a token session when the user logs out everywhere from a cookie session on the other instance', async () => {
      const account = await newAccount();
      const tokens = await issueTokens(b.url, account);
      const { browser } = await signIn(a.url, account);
      expect((await me(b.url, tokens.access_token)).status).toBe(200);
      const response = await browser.request('POST', '/api/auth/logout-all', { json: {} });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ revoked: 2 });
      const rejected = await me(b.url, tokens.access_token);
      expect(rejected.status).toBe(401);
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'logout_everywhere' });
      expect((await refresh(b.url, tokens.refresh_token)).status).toBe(401);
      expect((await refresh(a.url, tokens.refresh_token)).status).toBe(401);
    });

    it('should end a token session deleted from a fresh cookie session: its access and refresh tokens get 401', async () => {
      const account = await newAccount();
      const tokens = await issueTokens(a.url, account);
      const { browser } = await signIn(b.url, account);
      const deleted = await browser.request('DELETE', `/api/auth/sessions/${tokens.session_id}`);
      expect(deleted.status).toBe(204);
      const rejected = await me(a.url, tokens.access_token);
      expect(rejected.status).toBe(401);
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'revoked_by_user' });
      expect((await refresh(a.url, tokens.refresh_token)).status).toBe(401);
      // The cookie session that did it is not touched.
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
    });
  });

  describe('POST /api/auth/token/refresh: rotation and reuse (TOK-05, TOK-06, TOK-07)', () => {
    it('should rotate, give a retry within the grace the same successor, and end the whole session on reuse, auditing it once', async () => {
      const account = await newAccount();
      const first = await issueTokens(a.url, account);

      const second = await refresh(a.url, first.refresh_token);
      expect(second.status).toBe(200);
      expect(second.headers.get('cache-control')).toBe('no-store');
      expect(second.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.stringMatching(REFRESH_TOKEN),
        token_type: 'Bearer',
        expires_in: 900,
      });
      expect(second.body.refresh_token).not.toBe(first.refresh_token);
      expect(second.body.access_token).not.toBe(first.access_token);
      expect(decodeJwt(second.body.access_token)).toMatchObject({ sid: first.session_id, sub: account.id });
      expect((await me(b.url, second.body.access_token)).status).toBe(200);

      // Two tabs, or a lost response: the spent token again, while its successor is unused.
      const retry = await refresh(b.url, first.refresh_token);
      expect(retry.status).toBe(200);
      expect(retry.body.refresh_token).toBe(second.body.refresh_token);
      expect((await me(a.url, retry.body.access_token)).status).toBe(200);

      const third = await refresh(a.url, second.body.refresh_token);
      expect(third.status).toBe(200);
      expect(third.body.refresh_token).not.toBe(second.body.refresh_token);

      // The successor has been used: the first token again is reuse.
      const reuse = await refresh(b.url, first.refresh_token);
      expect(reuse.status).toBe(401);
      expect(reuse.body).toMatchObject({ code: 'session_ended', reason: 'refresh_token_reuse' });

      expect((await refresh(a.url, third.body.refresh_token)).status).toBe(401);
      for (const accessToken of [first.access_token, second.body.access_token, retry.body.access_token, third.body.access_token]) {
        for (const api of [a, b]) {
          const rejected = await me(api.url, accessToken);
          expect(rejected.status).toBe(401);
          expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'refresh_token_reuse' });
        }
      }
      // Replaying again does not write a second event.
      expect((await refresh(a.url, first.refresh_token)).status).toBe(401);
      expect((await refresh(a.url, second.body.refresh_token)).status).toBe(401);
      expect(await db.session(first.session_id)).toMatchObject({ end_reason: 'refresh_token_reuse' });
      const events = (await db.auditEvents(account.id)).filter((event) => event['type'] === 'refresh_token_reuse');
      expect(events).toEqual([expect.objectContaining({ session_id: first.session_id, reason: 'refresh_token_reuse' })]);
    });

    it('should treat a spent token presented after the grace period as reuse even while its successor is unused', async () => {
      const account = await newAccount(short);
      const first = await issueTokens(short.url, account);
      const second = await refresh(short.url, first.refresh_token);
      expect(second.status).toBe(200);
      await delay(1500);
      const reuse = await refresh(short.url, first.refresh_token);
      expect(reuse.status).toBe(401);
      expect(reuse.body).toMatchObject({ code: 'session_ended', reason: 'refresh_token_reuse' });
      const successor = await refresh(short.url, second.body.refresh_token);
      expect(successor.status).toBe(401);
      expect(successor.body).toMatchObject({ code: 'session_ended', reason: 'refresh_token_reuse' });
      const rejected = await me(short.url, second.body.access_token);
      expect(rejected.status).toBe(401);
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'refresh_token_reuse' });
      const events = (await db.auditEvents(account.id)).filter((event) => event['type'] === 'refresh_token_reuse');
      expect(events).toHaveLength(1);
    });

    it('should answer 20 parallel refreshes of one token, on two instances, with one and the same successor, and keep a single chain', async () => {
      const account = await newAccount();
      const first = await issueTokens(a.url, account);
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => refresh((i % 2 === 0 ? a : b).url, first.refresh_token)));
      expect(answers.filter((answer) => answer.status >= 500)).toEqual([]);
      // Within the grace period every concurrent retry gets the same successor (the documented behaviour).
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
      const successors = new Set(answers.map((answer) => answer.body.refresh_token as string));
      expect(successors.size).toBe(1);
      const [successor] = [...successors] as [string];
      for (const answer of answers.slice(0, 4)) expect((await me(a.url, answer.body.access_token)).status).toBe(200);
      const rows = await db.query(`SELECT used_at FROM auth_refresh_tokens WHERE session_id = $1`, [first.session_id]);
      expect(rows).toHaveLength(2);

      const next = await refresh(b.url, successor);
      expect(next.status).toBe(200);
      // The successor was used, so the shared parent is now reuse: no second chain can grow from it.
      const reuse = await refresh(a.url, first.refresh_token);
      expect(reuse.status).toBe(401);
      expect(reuse.body).toMatchObject({ code: 'session_ended', reason: 'refresh_token_reuse' });
      expect((await refresh(a.url, next.body.refresh_token)).status).toBe(401);
    });

    it("should refuse a refresh token sent with another session's cookie or access token, rotate nothing and log it (TOK-09)", async () => {
      const owner = await newAccount();
      const other = await newAccount();
      const ownerTokens = await issueTokens(a.url, owner);
      const ownerSecond = await issueTokens(a.url, owner);
      const otherTokens = await issueTokens(a.url, other);
      const { browser: otherBrowser } = await signIn(a.url, other);
      const post = (client: BrowserClient, bearer?: string) =>
        client.request('POST', '/api/auth/token/refresh', { json: { refresh_token: ownerTokens.refresh_token }, ...(bearer ? { bearer } : {}) });

      const refusals = [
        await post(otherBrowser), // another user's session cookie
        await post(new BrowserClient(a.url), otherTokens.access_token), // another user's access token
        await post(new BrowserClient(b.url), ownerSecond.access_token), // another session of the same user, on the other instance
      ];
      for (const refused of refusals) {
        // The answer an unknown refresh token gets: this endpoint's invalid_grant.
        expect(refused.status).toBe(401);
        expect(refused.body).toEqual({ statusCode: 401, message: 'Sign in to continue.', code: 'unauthenticated' });
      }
      const chain = await db.query(`SELECT used_at FROM auth_refresh_tokens WHERE session_id = $1`, [ownerTokens.session_id]);
      expect(chain).toEqual([{ used_at: null }]);
      expect((await me(a.url, ownerTokens.access_token)).status).toBe(200);
      expect((await me(a.url, otherTokens.access_token)).status).toBe(200);
      const logs = `${a.logs()}${b.logs()}`;
      const warnings = logs.split('\n').filter((line) => line.includes(`refresh token of session ${ownerTokens.session_id}`));
      expect(warnings).toHaveLength(3);
      expect(warnings.join('\n')).toContain(otherTokens.session_id);
      expect(warnings.join('\n')).toContain(ownerSecond.session_id);
      for (const token of [ownerTokens.refresh_token, otherTokens.access_token, ownerSecond.access_token, otherBrowser.cookie('sid')!]) {
        expect(logs).not.toContain(token);
      }

      // An invalid or expired credential beside the token proves nothing either way: the token decides.
      const withGarbage = remember(await post(new BrowserClient(a.url), 'not.a.token'));
      expect(withGarbage.status).toBe(200);
      expect(decodeJwt(withGarbage.body.access_token)).toMatchObject({ sub: owner.id, sid: ownerTokens.session_id });
      // So does the token's own session.
      const withOwn = remember(
        await new BrowserClient(a.url).request('POST', '/api/auth/token/refresh', {
          json: { refresh_token: withGarbage.body.refresh_token },
          bearer: withGarbage.body.access_token,
        }),
      );
      expect(withOwn.status).toBe(200);
      expect((await me(b.url, withOwn.body.access_token)).body).toMatchObject({ user: { id: owner.id }, session: { id: ownerTokens.session_id } });
      // A refresh token is not a session cookie either.
      const asCookie = new BrowserClient(a.url);
      asCookie.cookies.set('sid', withOwn.body.refresh_token);
      expect((await asCookie.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it('should answer garbage, unknown and non-string refresh tokens with 4xx, never 5xx, and change nothing', async () => {
      const account = await newAccount();
      const tokens = await issueTokens(a.url, account);
      const client = new BrowserClient(a.url);
      const bodies: unknown[] = [
        { refresh_token: randomBytes(32).toString('base64url') },
        { refresh_token: 'garbage' },
        { refresh_token: '' },
        { refresh_token: 'x'.repeat(600) },
        { refresh_token: tokens.access_token },
        { refresh_token: 7 },
        { refresh_token: [tokens.refresh_token] },
        {},
      ];
      for (const json of bodies) {
        const response = await client.request('POST', '/api/auth/token/refresh', { json });
        expect([400, 401]).toContain(response.status);
        expect(JSON.stringify(response.body)).not.toContain(tokens.refresh_token);
      }
      const malformed = await client.request('POST', '/api/auth/token/refresh', { headers: { 'content-type': 'application/json' }, body: '{"refresh_token":' });
      expect(malformed.status).toBe(400);
      expect((await refresh(a.url, tokens.refresh_token)).status).toBe(200);
    });
  });

  describe('access-token expiry (TOK-01)', () => {
    it('should answer an expired access token of a live session with token_expired, after which a refresh works', async () => {
      const account = await newAccount(short);
      const tokens = await issueTokens(short.url, account);
      const claims = decodeJwt(tokens.access_token);
      expect(tokens.expires_in).toBe(1);
      expect(claims.exp! - claims.iat!).toBe(1);
      // Past exp plus the verifier's clock tolerance.
      await delay(Math.max(0, (claims.exp! + CLOCK_TOLERANCE_SECONDS) * 1000 + 400 - Date.now()));
      const expired = await me(short.url, tokens.access_token);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ code: 'token_expired' });
      expect(expired.body.reason).toBeUndefined();
      const refreshed = await refresh(short.url, tokens.refresh_token);
      expect(refreshed.status).toBe(200);
      expect((await me(short.url, refreshed.body.access_token)).status).toBe(200);
    });
  });

  describe('POST /api/auth/token/revoke (TOK-10)', () => {
    it('should end the session of a refresh token with reason logout, its access token included, and audit it once', async () => {
      const account = await newAccount();
      const tokens = await issueTokens(a.url, account);
      const response = await revoke(b.url, tokens.refresh_token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({});
      expect(response.headers.get('cache-control')).toBe('no-store');
      const rejected = await me(a.url, tokens.access_token);
      expect(rejected.status).toBe(401);
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'logout' });
      expect((await refresh(a.url, tokens.refresh_token)).status).toBe(401);
      // Revoking it again is still 200 and writes nothing.
      expect((await revoke(a.url, tokens.refresh_token)).body).toEqual({});
      const events = (await db.auditEvents(account.id)).filter((event) => event['type'] === 'logout');
      expect(events).toEqual([expect.objectContaining({ session_id: tokens.session_id, reason: 'logout', actor_id: account.id })]);
    });

    it('should answer 200 {} but end nothing when the caller authenticates as another user, and log it (TOK-10)', async () => {
      const owner = await newAccount();
      const other = await newAccount();
      const ownerTokens = await issueTokens(a.url, owner);
      const otherTokens = await issueTokens(a.url, other);
      const { browser: otherBrowser } = await signIn(a.url, other);
      const eventsBefore = (await db.auditEvents(owner.id)).length;

      const byBearer = await new BrowserClient(b.url).request('POST', '/api/auth/token/revoke', {
        json: { refresh_token: ownerTokens.refresh_token },
        bearer: otherTokens.access_token,
      });
      const byCookie = await otherBrowser.request('POST', '/api/auth/token/revoke', { json: { refresh_token: ownerTokens.refresh_token } });
      for (const response of [byBearer, byCookie]) {
        expect(response.status).toBe(200);
        expect(response.body).toEqual({});
      }
      expect((await db.session(ownerTokens.session_id))?.['ended_at']).toBeNull();
      expect((await db.auditEvents(owner.id)).length).toBe(eventsBefore);
      const warnings = `${a.logs()}${b.logs()}`
        .split('\n')
        .filter((line) => line.includes(`token/revoke: a refresh token of session ${ownerTokens.session_id}`));
      expect(warnings).toHaveLength(2);
      expect(warnings.join('\n')).not.toContain(ownerTokens.refresh_token);
      expect((await me(a.url, ownerTokens.access_token)).status).toBe(200);
      const refreshed = await refresh(a.url, ownerTokens.refresh_token);
      expect(refreshed.status).toBe(200);

      // The owner may, from another of their sessions; an invalid credential beside the token changes nothing.
      const ownerSecond = await issueTokens(a.url, owner);
      const byOwner = await new BrowserClient(a.url).request('POST', '/api/auth/token/revoke', {
        json: { refresh_token: refreshed.body.refresh_token },
        bearer: ownerSecond.access_token,
      });
      expect(byOwner.body).toEqual({});
      expect((await me(a.url, refreshed.body.access_token)).body).toMatchObject({ code: 'session_ended', reason: 'logout' });
      const withGarbage = await new BrowserClient(a.url).request('POST', '/api/auth/token/revoke', {
        json: { refresh_token: otherTokens.refresh_token },
        bearer: 'not.a.token',
      });
      expect(withGarbage.body).toEqual({});
      expect((await me(a.url, otherTokens.access_token)).body).toMatchObject({ code: 'session_ended', reason: 'logout' });
    });

    it('should answer unknown and malformed tokens with 200 {} and change nothing', async () => {
      const account = await newAccount();
      const tokens = await issueTokens(a.url, account);
      const eventsBefore = (await db.auditEvents(account.id)).length;
      for (const value of [randomBytes(32).toString('base64url'), 'garbage', '', 'x'.repeat(512), tokens.access_token, `${tokens.refresh_token} `]) {
        const response = await revoke(a.url, value);
        expect(response.status).toBe(200);
        expect(response.body).toEqual({});
      }
      for (const value of [7, null, ['a']]) expect((await revoke(a.url, value)).status).toBeLessThan(500);
      expect((await me(a.url, tokens.access_token)).status).toBe(200);
      expect((await db.auditEvents(account.id)).length).toBe(eventsBefore);
      expect((await refresh(a.url, tokens.refresh_token)).status).toBe(200);
    });
  });

  describe('bearer versus cookie, CSRF and Origin', () => {
    it('should judge a request that carries both by its bearer alone', async () => {
      const cookieOwner = await newAccount();
      const bearerOwner = await newAccount();
      const { browser } = await signIn(a.url, cookieOwner);
      const tokens = await issueTokens(a.url, bearerOwner);

      const invalid = await browser.request('GET', '/api/auth/me', { bearer: 'not.a.token' });
      expect(invalid.status).toBe(401);
      expect(invalid.body).toMatchObject({ code: 'unauthenticated' });
      const other = await browser.request('GET', '/api/auth/me', { bearer: tokens.access_token });
      expect(other.status).toBe(200);
      expect(other.body).toMatchObject({ user: { id: bearerOwner.id }, session: { id: tokens.session_id, method: 'bearer' } });

      // Logout with a valid cookie and an invalid bearer: the cookie is ignored, so its session survives.
      const sid = browser.cookie('sid')!;
      const logout = await browser.request('POST', '/api/auth/logout', { bearer: 'not.a.token' });
      expect(logout.status).toBeLessThan(500);
      const cookieOnly = new BrowserClient(a.url);
      cookieOnly.cookies.set('sid', sid);
      expect((await cookieOnly.request('GET', '/api/auth/me')).status).toBe(200);
      expect((await me(a.url, tokens.access_token)).status).toBe(200);
    });

    it('should need no XSRF value and ignore a foreign Origin on bearer requests, and on /api/auth/token*', async () => {
      const account = await newAccount();
      const evil = new BrowserClient(a.url, { origin: 'https://evil.example' });
      const issued = remember(await evil.request('POST', '/api/auth/token', { json: { email: account.email, password: PASSWORD } }));
      expect(issued.status).toBe(200);
      const refreshed = remember(await evil.request('POST', '/api/auth/token/refresh', { json: { refresh_token: issued.body.refresh_token } }));
      expect(refreshed.status).toBe(200);

      const { browser } = await signIn(a.url, account);
      // A valid cookie rides along without its XSRF header: the bearer decides, so no 403.
      const response = await browser.request('POST', '/api/auth/logout-all', {
        json: {},
        bearer: refreshed.body.access_token,
        xsrf: false,
        headers: { origin: 'https://evil.example' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ revoked: 2 });
      const rejected = await me(a.url, refreshed.body.access_token);
      expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'logout_everywhere' });
    });
  });

  describe('repeated Authorization headers (ROB-01)', () => {
    it('should answer 401 unauthenticated whichever comes first, on protected routes and on the token endpoints, and change nothing', async () => {
      const account = await newAccount();
      const tokens = await issueTokens(a.url, account);
      const valid = `Bearer ${tokens.access_token}`;
      expect((await rawRequest(a.url, 'GET', '/api/auth/me', { authorization: valid })).status).toBe(200);
      for (const authorization of [
        [valid, 'Bearer garbage'],
        ['Bearer garbage', valid],
        [valid, valid],
      ]) {
        const response = await rawRequest(a.url, 'GET', '/api/auth/me', { authorization });
        expect(response).toEqual({ status: 401, body: { statusCode: 401, message: 'Sign in to continue.', code: 'unauthenticated' } });
      }
      const refreshBody = JSON.stringify({ refresh_token: tokens.refresh_token });
      const refused = await rawRequest(
        a.url,
        'POST',
        '/api/auth/token/refresh',
        { 'content-type': 'application/json', authorization: [valid, 'Bearer garbage'] },
        refreshBody,
      );
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'unauthenticated' });
      const revoked = await rawRequest(
        a.url,
        'POST',
        '/api/auth/token/revoke',
        { 'content-type': 'application/json', authorization: [valid, valid] },
        refreshBody,
      );
      expect(revoked.status).toBe(401);
      expect(await db.query(`SELECT used_at, revoked_at FROM auth_refresh_tokens WHERE session_id = $1`, [tokens.session_id])).toEqual([
        { used_at: null, revoked_at: null },
      ]);
      expect((await me(a.url, tokens.access_token)).status).toBe(200);
    });
  });

  describe('bearer sessions in device lists', () => {
    it('should list token sessions with their client user agent, current only for the caller', async () => {
      const account = await newAccount();
      const { browser, sessionId } = await signIn(a.url, account);
      const app = await issueTokens(a.url, account, { userAgent: 'MyApp/2.1 (Android 14)' });
      const curl = await issueTokens(b.url, account, { userAgent: 'curl/8.5.0' });

      const fromCookie = await browser.request('GET', '/api/auth/sessions');
      expect(fromCookie.status).toBe(200);
      const byId = Object.fromEntries((fromCookie.body.sessions as Array<Record<string, any>>).map((session) => [session['id'], session]));
      expect(Object.keys(byId).sort()).toEqual([sessionId, app.session_id, curl.session_id].sort());
      expect(byId[app.session_id]).toMatchObject({
        current: false,
        userAgent: 'MyApp/2.1 (Android 14)',
        device: { browser: 'MyApp', os: 'Android 14' },
        ip: '127.0.0.1',
      });
      expect(byId[curl.session_id]).toMatchObject({ current: false, userAgent: 'curl/8.5.0', device: { browser: 'curl' } });
      expect(byId[sessionId]).toMatchObject({ current: true });

      const fromApp = await new BrowserClient(b.url).request('GET', '/api/auth/sessions', { bearer: app.access_token });
      expect(fromApp.status).toBe(200);
      const current = (fromApp.body.sessions as Array<{ id: string; current: boolean }>).filter((session) => session.current);
      expect(current.map((session) => session.id)).toEqual([app.session_id]);
      for (const list of [fromCookie, fromApp]) {
        for (const token of [app.access_token, app.refresh_token, curl.access_token, curl.refresh_token]) {
          expect(JSON.stringify(list.body)).not.toContain(token);
        }
      }
    });
  });

  describe('POST /api/auth/reauth with a bearer', () => {
    it('should refuse a wrong password with 403 and then rotate on the right one: old pair 401, new pair works', async () => {
      const account = await newAccount();
      const old = await issueTokens(a.url, account);
      const client = new BrowserClient(a.url);

      const wrong = await client.request('POST', '/api/auth/reauth', { json: { password: 'not the password' }, bearer: old.access_token });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toMatchObject({ code: 'invalid_password' });
      expect((await me(a.url, old.access_token)).status).toBe(200);

      const response = remember(await client.request('POST', '/api/auth/reauth', { json: { password: PASSWORD }, bearer: old.access_token }));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.setCookies).toEqual([]);
      expect(response.body).toEqual({
        session: { id: old.session_id, expiresAt: expect.any(String) },
        access_token: expect.any(String),
        refresh_token: expect.stringMatching(REFRESH_TOKEN),
        token_type: 'Bearer',
        expires_in: 900,
      });
      const { access_token: accessToken, refresh_token: refreshToken } = response.body;
      expect(accessToken).not.toBe(old.access_token);
      expect(refreshToken).not.toBe(old.refresh_token);
      expect(decodeJwt(accessToken).sv).toBe((decodeJwt(old.access_token).sv as number) + 1);

      for (const api of [a, b]) {
        const rejected = await me(api.url, old.access_token);
        expect(rejected.status).toBe(401);
        expect(rejected.body).toMatchObject({ code: 'unauthenticated' });
      }
      const oldRefresh = await refresh(b.url, old.refresh_token);
      expect(oldRefresh.status).toBe(401);
      expect(oldRefresh.body).toMatchObject({ code: 'unauthenticated' });
      // The superseded refresh token is not reuse: the rotated session lives on.
      expect((await me(b.url, accessToken)).status).toBe(200);
      const next = await refresh(a.url, refreshToken);
      expect(next.status).toBe(200);
      expect((await me(a.url, next.body.access_token)).status).toBe(200);
    });
  });

  describe('audit log', () => {
    it('should hold no access or refresh token value seen by these tests', async () => {
      expect(accounts.length).toBeGreaterThan(10);
      expect(seenTokens.size).toBeGreaterThan(40);
      const rows = await db.query<{ text: string }>(
        `SELECT row_to_json(e)::text AS text FROM auth_audit_events e WHERE e.user_id = ANY($1::uuid[]) OR e.actor_id = ANY($1::uuid[])`,
        [accounts.map((account) => account.id)],
      );
      expect(rows.length).toBeGreaterThan(accounts.length);
      const leaks: string[] = [];
      for (const token of seenTokens) {
        // An access token's signature alone is as secret-bearing as the token.
        const needles = token.includes('.') ? [token, token.split('.')[2]] : [token];
        for (const row of rows) if (needles.some((needle) => row.text.includes(needle))) leaks.push(row.text);
      }
      expect(leaks).toEqual([]);
    });
  });
});
