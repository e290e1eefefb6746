import { Redis } from 'ioredis';
import { hash, randomUUID } from 'node:crypto';
import { type ApiProcess, startApis } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { registerAccount } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { securityLogLine } from './support/security-log.js';

/**
 * The per-account sign-in limit (rateLimit.account, default 25 attempts per 15 minutes): a password
 * guessed from many addresses is stopped, while the owner's own places keep signing in. One proxy hop
 * is trusted, so X-Forwarded-For names the client; the per-IP limit is set out of the way.
 */
describe('sign-in attempts limited per account, from every unfamiliar IP together (rateLimit.account)', () => {
  let a: ApiProcess;
  let b: ApiProcess;
  const LIMIT = 25;
  const FAMILIAR_LIMIT = 50;

  beforeAll(async () => {
    [a, b] = await startApis(2, { env: { AUTH_RATE_LIMIT: '1000', TRUST_PROXY: '1' } });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  /** One sign-in attempt from `ip`, alternating the instances; `route` is the cookie or the token sign-in. */
  function attempt(instance: ApiProcess, email: string, password: string, ip: string, route: 'login' | 'token' = 'login', requestId?: string) {
    return new BrowserClient(instance.url).request('POST', `/api/auth/${route}`, {
      json: { email, password },
      headers: { 'X-Forwarded-For': ip, ...(requestId ? { 'x-request-id': requestId } : {}) },
    });
  }

  it('should refuse every unfamiliar IP past the limit with 429 and Retry-After, even with the right password, and keep the familiar IP signing in', async () => {
    const account = await registerAccount(a.url);
    const home = '198.51.100.23';
    // The first sign-in from home is unfamiliar too: it counts as one attempt.
    expect((await attempt(a, account.email, account.password, home)).status).toBe(200);

    // A botnet: one wrong guess from each of the other LIMIT - 1 addresses, over both instances and both sign-in routes.
    for (let i = 0; i < LIMIT - 1; i++) {
      const response = await attempt(i % 2 ? a : b, account.email, 'wrong password!', `203.0.113.${i + 1}`, i % 3 ? 'login' : 'token');
      expect(response.status).toBe(401);
    }
    const requestId = `account-limit-${randomUUID()}`;
    const refused = await attempt(a, account.email, account.password, '203.0.113.200', 'login', requestId);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect((await attempt(b, account.email, account.password, '2001:db8:77::1', 'token')).status).toBe(429);

    // The owner at home (and from another address of the same IPv6 /64, were home IPv6) is not locked out.
    expect((await attempt(b, account.email, account.password, home)).status).toBe(200);
    expect((await attempt(a, account.email, account.password, home, 'token')).status).toBe(200);
    // A wrong guess from the familiar IP counts against the familiar places' own budget (50), not refused here.
    expect((await attempt(a, account.email, 'wrong password!', home)).status).toBe(401);

    // The refusal is a security event (AUD-06) naming the path and the address, never the email or password.
    const line = await securityLogLine(a, (entry) => entry['requestId'] === requestId);
    expect(line).toMatchObject({
      event: 'authn_login_lock',
      code: 'rate_limited',
      reason: 'account_limit',
      places: 'unfamiliar',
      path: '/api/auth/login',
      ip: '203.0.113.200',
    });
    expect(JSON.stringify(line)).not.toContain(account.email);
    expect(a.logs()).not.toContain(account.password);
  });

  it("should count a stolen session's password checks (reauth, password, email) against the same limit, and never lock out the owner at home", async () => {
    const account = await registerAccount(a.url);
    const home = '198.51.100.77';
    // The owner signs in at home (the first sign-in from there counts once); the thief replays the cookie from elsewhere.
    const owner = new BrowserClient(a.url);
    expect(
      (await owner.request('POST', '/api/auth/login', { json: { email: account.email, password: account.password }, headers: { 'X-Forwarded-For': home } }))
        .status,
    ).toBe(200);
    const thief = new BrowserClient(b.url);
    for (const [name, value] of owner.cookies) thief.cookies.set(name, value);
    const check = (path: string, json: Record<string, string>, ip: string) => thief.request('POST', path, { json, headers: { 'X-Forwarded-For': ip } });
    const guesses: number[] = [];
    for (let i = 0; i < LIMIT - 1; i++) {
      const ip = `203.0.113.${100 + i}`;
      const response =
        i % 3 === 0
          ? await check('/api/auth/reauth', { password: 'wrong password!' }, ip)
          : i % 3 === 1
            ? await check('/api/auth/password', { currentPassword: 'wrong password!', newPassword: 'another long password' }, ip)
            : await check('/api/auth/email', { password: 'wrong password!', newEmail: `x-${i}-${account.email}` }, ip);
      guesses.push(response.status);
    }
    expect(guesses).toEqual(Array<number>(LIMIT - 1).fill(403));
    // Each wrong guess is in the audit log as a failed sign-in would be, with the session and the route that checked it.
    const db = new TestDatabase();
    try {
      const failed = await db.query<{ session_id: string; check: string }>(
        `SELECT e.session_id, e.metadata->>'check' AS check FROM auth_audit_events e JOIN auth_sessions s ON s.id = e.session_id
          WHERE e.type = 'login_failed' AND s.user_id = e.user_id AND e.user_id = $1`,
        [account.id],
      );
      expect(failed).toHaveLength(LIMIT - 1);
      expect(new Set(failed.map((row) => row.check))).toEqual(new Set(['reauth', 'password', 'email']));
    } finally {
      await db.close();
    }
    const requestId = `stolen-${randomUUID()}`;
    const refused = await thief.request('POST', '/api/auth/reauth', {
      json: { password: account.password },
      headers: { 'X-Forwarded-For': '203.0.113.250', 'x-request-id': requestId },
    });
    expect(refused.status).toBe(429);
    // The lock names the session that was refused, so the owner's sessions can be looked at.
    const line = await securityLogLine(b, (entry) => entry['requestId'] === requestId);
    expect(line).toMatchObject({ event: 'authn_login_lock', reason: 'account_limit', sessionId: expect.any(String), userId: expect.any(String) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await check('/api/auth/password', { currentPassword: account.password, newPassword: 'another long password' }, '203.0.113.251')).status).toBe(429);
    // Nothing changed, and the owner at home still steps up and signs in.
    expect((await owner.request('POST', '/api/auth/reauth', { json: { password: account.password }, headers: { 'X-Forwarded-For': home } })).status).toBe(200);
    expect((await attempt(b, account.email, account.password, home)).status).toBe(200);
  });

  it("should give the account's familiar places a budget of wrong passwords of their own: someone on the owner's network is refused past it, the owner elsewhere is not", async () => {
    const account = await registerAccount(a.url);
    const home = '198.51.100.91';
    expect((await attempt(a, account.email, account.password, home)).status).toBe(200);
    // Signing in often from home counts nothing there: only wrong passwords do.
    for (let i = 0; i < 6; i++) expect((await attempt(i % 2 ? a : b, account.email, account.password, home, i % 3 ? 'login' : 'token')).status).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < FAMILIAR_LIMIT; i++)
      guesses.push((await attempt(i % 2 ? a : b, account.email, 'wrong password!', home, i % 3 ? 'login' : 'token')).status);
    expect(guesses).toEqual(Array<number>(FAMILIAR_LIMIT).fill(401));
    // Past the budget the place is refused on both instances and both routes, the right password too.
    const requestId = `familiar-limit-${randomUUID()}`;
    const refused = await attempt(b, account.email, account.password, home, 'login', requestId);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    expect((await attempt(a, account.email, account.password, home, 'token')).status).toBe(429);
    const line = await securityLogLine(b, (entry) => entry['requestId'] === requestId);
    expect(line).toMatchObject({ event: 'authn_login_lock', code: 'rate_limited', reason: 'account_limit', places: 'familiar', ip: home });
    // The unfamiliar budget is apart (one attempt used, the first sign-in from home): the owner elsewhere signs in.
    expect((await attempt(a, account.email, account.password, '203.0.115.7')).status).toBe(200);
  });

  it('should refuse the familiar places once their count has passed the budget even when no block was set (a stalled Redis ran the counts later and the reply that would have set it was lost)', async () => {
    const account = await registerAccount(a.url);
    const home = '198.51.100.92';
    expect((await attempt(a, account.email, account.password, home)).status).toBe(200);
    // What a stall leaves behind: the account's familiar counter past 50, and no block key beside it.
    const redis = new Redis(process.env['SIGNOFF_TEST_REDIS_URL']!, { maxRetriesPerRequest: 1 });
    try {
      const counter = `${process.env['SIGNOFF_TEST_REDIS_PREFIX']}:auth:rate-limit:auth:account-familiar:${hash('sha256', `user:${account.id}`, 'base64url')}`;
      await redis.set(counter, String(FAMILIAR_LIMIT + 11), 'PX', 120_000);
      const refused = await attempt(b, account.email, account.password, home);
      expect(refused.status).toBe(429);
      // Until the counter's window ends, not for a new window.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(100);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(120);
      await redis.set(counter, String(FAMILIAR_LIMIT - 1), 'PX', 120_000);
      expect((await attempt(a, account.email, account.password, home)).status).toBe(200);
    } finally {
      redis.disconnect();
    }
  });

  it('should count every spelling the demo signs in with (any case) against one budget, and the right password in another case is refused past it', async () => {
    const account = await registerAccount(a.url);
    const spell = (i: number) => [...account.email].map((char, at) => ((i >> (at % 16)) & 1 ? char.toUpperCase() : char)).join('');
    // The demo finds users by lower(email): every spelling signs in to the account (the first attempt proves it).
    expect((await attempt(a, spell(1), account.password, '203.0.114.1')).status).toBe(200);
    for (let i = 2; i <= LIMIT; i++) expect((await attempt(i % 2 ? a : b, spell(i), 'wrong password!', `203.0.114.${i}`)).status).toBe(401);
    expect((await attempt(b, spell(LIMIT + 1), account.password, '203.0.114.200')).status).toBe(429);
    expect((await attempt(a, account.email.toUpperCase(), account.password, '203.0.114.201', 'token')).status).toBe(429);
  });

  it('should count an unknown email exactly like a known one, so the limit tells nothing about which accounts exist', async () => {
    const known = await registerAccount(a.url);
    const unknown = `nobody-${randomUUID().slice(0, 8)}@example.com`;
    const statuses = async (email: string) => {
      const seen: number[] = [];
      for (let i = 0; i <= LIMIT; i++) seen.push((await attempt(i % 2 ? a : b, email, 'wrong password!', `192.0.2.${i + 1}`)).status);
      return seen;
    };
    const expected = [...Array<number>(LIMIT).fill(401), 429];
    expect(await statuses(known.email)).toEqual(expected);
    expect(await statuses(unknown)).toEqual(expected);
    // Another account is not affected by either.
    const other = await registerAccount(a.url);
    expect((await attempt(b, other.email, other.password, '192.0.2.1')).status).toBe(200);
  });
});
