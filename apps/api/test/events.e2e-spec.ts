import { setTimeout as delay } from 'node:timers/promises';
import { type ApiProcess, startApi, startApis } from '../../../test-support/api-process.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { type EventStream, type Isolated, bearerSignIn, isolated, openEvents } from './support/jobs.js';

const NEW_PASSWORD = 'a brand new and longer passphrase';
const HEARTBEAT_MS = 1000;
// The contract: within 2 s while Redis is up. A missed message: within one heartbeat, plus the at
// most 2 s an instance may trust its session cache (CACHE_TRUST_MS in session-bus.ts).
const PUBSUB_BOUND_MS = 2000;
const MISSED_BOUND_MS = HEARTBEAT_MS + 2000 + 500;
const ORIGIN = 'http://signoff.localhost';

describe('GET /api/auth/events: the logout event reaches every instance with its reason', () => {
  let scope: Isolated;
  let a: ApiProcess;
  let b: ApiProcess;
  // c shares the database but not Redis: no pub/sub message from a or b ever reaches it.
  let c: ApiProcess;
  let cRedis: ThrowawayRedis;
  let db: TestDatabase;
  const streams: EventStream[] = [];

  const open = async (api: ApiProcess, credentials: { sid?: string; bearer?: string }): Promise<EventStream> => {
    const stream = await openEvents(api.url, credentials);
    streams.push(stream);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    return stream;
  };

  beforeAll(async () => {
    scope = isolated('events');
    db = new TestDatabase(scope.databaseUrl);
    // No worker anywhere: every logout event below comes from the request path (pub/sub) or from a
    // stream's own heartbeat re-check, never from the job's republication or from rows it marked.
    const env = { REDIS_PREFIX: scope.redisPrefix, EVENTS_HEARTBEAT_MS: String(HEARTBEAT_MS), PUBLIC_ORIGIN: ORIGIN, RUN_WORKERS: 'false' };
    [a, b] = (await startApis(2, { databaseUrl: scope.databaseUrl, env })) as [ApiProcess, ApiProcess];
    cRedis = await startThrowawayRedis();
    c = await startApi({ databaseUrl: scope.databaseUrl, redisUrl: cRedis.url, env });
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await cRedis?.dispose();
    await db?.close();
    await scope?.drop();
  });

  it('password change on A: B\'s stream of another session gets logout {"reason":"password_change"} within 2 s and closes; the caller\'s streams stay open', async () => {
    const account = await registerAccount(a.url, 'events');
    const caller = await signIn(a.url, account);
    const laptop = await signIn(b.url, account);
    const apiClient = await bearerSignIn(b.url, account);
    const laptopStream = await open(b, { sid: laptop.browser.cookie('sid')! });
    const bearerStream = await open(a, { bearer: apiClient.access_token });
    const callerStream = await open(a, { sid: caller.browser.cookie('sid')! });
    const callerStreamOnB = await open(b, { sid: caller.browser.cookie('sid')! });

    const response = await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    const answeredAt = Date.now();
    expect(response.status).toBe(200);

    for (const stream of [laptopStream, bearerStream]) {
      const logout = await stream.next('logout', PUBSUB_BOUND_MS);
      expect(JSON.parse(logout.data)).toEqual({ reason: 'password_change' });
      expect(logout.at - answeredAt).toBeLessThan(PUBSUB_BOUND_MS);
      await Promise.race([stream.closed, delay(1000)]);
      expect(stream.isClosed()).toBe(true);
    }
    // The kept (rotated) session gets no logout event: its streams stay open across re-checks.
    await delay(HEARTBEAT_MS * 2 + 500);
    for (const stream of [callerStream, callerStreamOnB]) {
      expect(stream.events).toEqual([]);
      expect(stream.isClosed()).toBe(false);
      expect(stream.comments.filter((comment) => comment.data === 'heartbeat' && comment.at > answeredAt).length).toBeGreaterThanOrEqual(1);
    }
  });

  it('security report: every stream of the user, the caller\'s own included, gets logout {"reason":"security_concern"}', async () => {
    const account = await registerAccount(a.url, 'report');
    const caller = await signIn(a.url, account);
    const laptop = await signIn(b.url, account);
    const callerStream = await open(a, { sid: caller.browser.cookie('sid')! });
    const callerStreamOnB = await open(b, { sid: caller.browser.cookie('sid')! });
    const laptopStream = await open(b, { sid: laptop.browser.cookie('sid')! });

    const response = await caller.browser.post('/api/auth/security-report', { json: {} });
    const answeredAt = Date.now();
    expect(response.status).toBe(200);
    for (const stream of [callerStream, callerStreamOnB, laptopStream]) {
      const logout = await stream.next('logout', PUBSUB_BOUND_MS);
      expect(JSON.parse(logout.data)).toEqual({ reason: 'security_concern' });
      expect(logout.at - answeredAt).toBeLessThan(PUBSUB_BOUND_MS);
    }
  });

  it('a stream of a session ended with no message at all (a direct row update) closes with logout within one heartbeat', async () => {
    const account = await registerAccount(a.url, 'silent');
    const device = await signIn(b.url, account);
    const stream = await open(b, { sid: device.browser.cookie('sid')! });
    await delay(300);
    await db.query(`UPDATE auth_sessions SET ended_at = now(), end_reason = 'revoked_by_admin' WHERE id = $1`, [device.sessionId]);
    const endedAt = Date.now();
    const logout = await stream.next('logout', MISSED_BOUND_MS);
    expect(JSON.parse(logout.data)).toEqual({ reason: 'revoked_by_admin' });
    expect(logout.at - endedAt).toBeLessThan(MISSED_BOUND_MS);
    await Promise.race([stream.closed, delay(1000)]);
    expect(stream.isClosed()).toBe(true);
  });

  it("password change on A while C cannot hear A's pub/sub: C's stream still closes within one heartbeat, naming the change", async () => {
    const account = await registerAccount(a.url, 'partitioned');
    const caller = await signIn(a.url, account);
    const laptop = await signIn(c.url, account);
    const stream = await open(c, { sid: laptop.browser.cookie('sid')! });
    await delay(300);
    const response = await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    const answeredAt = Date.now();
    expect(response.status).toBe(200);
    const logout = await stream.next('logout', MISSED_BOUND_MS);
    expect(logout.at - answeredAt).toBeLessThan(MISSED_BOUND_MS);
    await Promise.race([stream.closed, delay(1000)]);
    expect(stream.isClosed()).toBe(true);
    // Contract, Events: `event: logout` with data {"reason": "<reason>"}, the reason of the change.
    expect(JSON.parse(logout.data)).toEqual({ reason: 'password_change' });
  });

  it('refuses a stream without a valid session (401) and for a session a change already ended', async () => {
    const account = await registerAccount(a.url, 'refused');
    const caller = await signIn(a.url, account);
    const laptop = await signIn(b.url, account);
    const anonymous = await openEvents(a.url, {});
    expect(anonymous.status).toBe(401);
    expect((await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } })).status).toBe(200);
    for (const api of [a, b, c]) {
      const refused = await openEvents(api.url, { sid: laptop.browser.cookie('sid')! });
      expect(refused.status).toBe(401);
    }
  });
});
