import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type ApiProcess, startApis } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { registerAccount, signIn } from './support/accounts.js';
import { issueTokens, type IssuedTokens, revoke } from './support/tokens.js';

// One deployment: both instances share the origin (iss/aud) and the signing key.
const JWT_SECRET = randomBytes(48).toString('base64url');
const SHARED_ORIGIN = 'http://signoff.localhost';

/**
 * Each instance verifies an access token's signature once and reuses the verified claims until
 * `exp`. That must never open a revocation window: B keeps serving a bearer from its caches (the
 * verified token and the session), A ends the session, and B rejects the token for every request
 * sent after A's answer, the very next one included, whichever way the session was ended.
 */
describe('cached bearer verification and the revocation window (two instances, a Redis the test owns)', () => {
  let redis: ThrowawayRedis;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    [a, b] = await startApis(2, { redisUrl: redis.url, env: { JWT_SECRET, PUBLIC_ORIGIN: SHARED_ORIGIN } });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.dispose();
  });

  /** Sends back-to-back bearer requests to B until stopped; returns every result with its send time. */
  function hammer(accessToken: string) {
    const client = new BrowserClient(b.url);
    const results: Array<{ sentAt: number; status: number; code?: string }> = [];
    let isRunning = true;
    const done = (async () => {
      while (isRunning) {
        const sentAt = performance.now();
        const response = await client.request('GET', '/api/auth/me', { bearer: accessToken });
        results.push({ sentAt, status: response.status, code: response.body?.code });
      }
    })();
    return {
      results,
      stop: async () => {
        isRunning = false;
        await done;
      },
    };
  }

  async function proveNoWindow(tokens: IssuedTokens, end: () => Promise<number>, expectedCode = 'session_ended') {
    const load = hammer(tokens.access_token);
    // Until B has served the token a good many times (a fixed wait is too short while a fresh
    // instance warms up beside another suite on a 2-core machine).
    const served = () => load.results.filter((result) => result.status === 200).length;
    for (const deadline = performance.now() + 10_000; served() <= 10 && performance.now() < deadline;) await new Promise((done) => setTimeout(done, 20));
    const started = performance.now();
    expect(await end()).toBe(200);
    const acknowledgedAt = performance.now();
    // The very next request after the answer, on B.
    const next = await new BrowserClient(b.url).request('GET', '/api/auth/me', { bearer: tokens.access_token });
    await new Promise((done) => setTimeout(done, 300));
    await load.stop();

    expect(next.status).toBe(401);
    expect(next.body).toMatchObject({ code: expectedCode });
    const before = load.results.filter((result) => result.sentAt < started);
    const after = load.results.filter((result) => result.sentAt >= acknowledgedAt);
    // B really was serving the token (from its caches) right up to the revocation.
    expect(before.filter((result) => result.status === 200).length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(3);
    expect(after.filter((result) => result.status !== 401)).toEqual([]);
  }

  it('should reject on B at once a bearer logged out with itself through A', async () => {
    const tokens = await issueTokens(a.url, await registerAccount(a.url, 'bearer-window'));
    await proveNoWindow(tokens, async () => (await new BrowserClient(a.url).request('POST', '/api/auth/logout', { bearer: tokens.access_token })).status);
  });

  it('should reject on B at once a bearer whose refresh token was revoked through A', async () => {
    const tokens = await issueTokens(a.url, await registerAccount(a.url, 'bearer-window'));
    await proveNoWindow(tokens, async () => (await revoke(a.url, tokens.refresh_token)).status);
  });

  it('should reject on B at once a bearer whose user logged out everywhere from a cookie session on A', async () => {
    const account = await registerAccount(a.url, 'bearer-window');
    const tokens = await issueTokens(b.url, account);
    const { browser } = await signIn(a.url, account);
    await proveNoWindow(tokens, async () => (await browser.request('POST', '/api/auth/logout-all', { json: {} })).status);
  });

  it('should still reject on B at once when every pub/sub connection was just killed', async () => {
    const tokens = await issueTokens(a.url, await registerAccount(a.url, 'bearer-window'));
    const admin = new Redis(redis.url);
    try {
      await proveNoWindow(tokens, async () => {
        await admin.client('KILL', 'TYPE', 'pubsub');
        return (await new BrowserClient(a.url).request('POST', '/api/auth/logout', { bearer: tokens.access_token })).status;
      });
    } finally {
      admin.disconnect();
    }
  });
});
