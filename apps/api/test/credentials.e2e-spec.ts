import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type ApiProcess, startApi, startApis } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import {
  type Isolated,
  type WorkerProcess,
  bearerSignIn,
  isolated,
  jobsQueue,
  cleanupJobId,
  meWithBearer,
  refreshWith,
  startWorker,
  waitFor,
  withCookie,
} from './support/jobs.js';

const NEW_PASSWORD = 'a brand new and longer passphrase';
const REDIS_URL = process.env['SIGNOFF_TEST_REDIS_URL']!;

type Row = Record<string, any>;

// Created by the app at start-up (ADMIN_EMAIL / ADMIN_PASSWORD), to read the admin counts.
const ADMIN = { id: '', email: 'credentials-admin@example.com', password: 'admin password for the credential tests' };

/**
 * Issue 4, the request path: a password or email change, or "this wasn't me", ends every other
 * session at once on every instance, with no worker running (RUN_WORKERS=false on both instances
 * and no worker process until a test starts one), and the job only cleans up afterwards.
 */
describe('credential changes log the user out everywhere, at once (two instances, no worker running)', () => {
  let scope: Isolated;
  let a: ApiProcess;
  let b: ApiProcess;
  let db: TestDatabase;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    scope = isolated('credentials');
    db = new TestDatabase(scope.databaseUrl);
    // One deployment behind one origin: access tokens name it as iss and aud, so both instances share it.
    const env = {
      REDIS_PREFIX: scope.redisPrefix,
      RUN_WORKERS: 'false',
      PUBLIC_ORIGIN: 'http://signoff.localhost',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    };
    [a, b] = (await startApis(2, { databaseUrl: scope.databaseUrl, env })) as [ApiProcess, ApiProcess];
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
    await db?.close();
    await scope?.drop();
  });

  const auditOf = (userId: string): Promise<Row[]> => db.auditEvents(userId);
  const loginStatus = async (api: ApiProcess, email: string, password: string): Promise<number> =>
    (await new BrowserClient(api.url).request('POST', '/api/auth/login', { json: { email, password } })).status;

  it('password: every other cookie session, access token and refresh token gets 401 on both instances the moment the response returns; the lists agree; the job only cleans up later (JOB-01, JOB-07)', async () => {
    const account = await registerAccount(a.url, 'password');
    const caller = await signIn(a.url, account);
    const laptop = await signIn(b.url, account);
    const laptopOnA = withCookie(a.url, laptop.browser.cookie('sid')!);
    const apiClient = await bearerSignIn(b.url, account);
    const bystander = await signIn(a.url, await registerAccount(a.url, 'bystander'));
    // Every instance has accepted (and may have cached) each credential before the change.
    for (const client of [laptop.browser, laptopOnA, caller.browser]) expect((await client.get('/api/auth/me')).status).toBe(200);
    for (const api of [a, b]) expect((await meWithBearer(api.url, apiClient.access_token)).status).toBe(200);

    const subscriber = new Redis(REDIS_URL);
    const announced: Row[] = [];
    subscriber.on('message', (_channel: string, text: string) => {
      const message = JSON.parse(text) as Row;
      // Ended sessions only: the caller's rotation is announced too, with reason null.
      if (message['t'] === 'change' && message['change'].userId === account.id && message['change'].reason !== null)
        announced.push({ ...message['change'], from: message['from'] });
    });
    await subscriber.subscribe(`${scope.redisPrefix}:auth:sessions`);
    const { queue, redis, close: closeQueue } = jobsQueue(REDIS_URL, scope.redisPrefix);
    try {
      const oldSid = caller.browser.cookie('sid')!;
      const oldXsrf = caller.browser.cookie('XSRF-TOKEN')!;
      const response = await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ revoked: 2 });
      expect(response.headers.get('cache-control')).toBe('no-store');

      // At once, on both instances: the other cookie session, the access token and the refresh token.
      const [laptopOnB, laptopA, tokenOnA, tokenOnB, refreshed] = await Promise.all([
        laptop.browser.get('/api/auth/me'),
        laptopOnA.get('/api/auth/me'),
        meWithBearer(a.url, apiClient.access_token),
        meWithBearer(b.url, apiClient.access_token),
        refreshWith(b.url, apiClient.refresh_token),
      ]);
      for (const rejected of [laptopOnB, laptopA, tokenOnA, tokenOnB, refreshed]) {
        expect(rejected.status).toBe(401);
        // The reason in these bodies is asserted by its own test below.
        expect(rejected.body).toMatchObject({ code: 'session_ended' });
      }

      // The caller stays signed in: same session id, new secrets; the old cookie is dead.
      expect(caller.browser.cookie('sid')).not.toBe(oldSid);
      expect(caller.browser.cookie('XSRF-TOKEN')).not.toBe(oldXsrf);
      const me = await caller.browser.get('/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.session.id).toBe(caller.sessionId);
      for (const api of [a, b]) {
        const stale = await withCookie(api.url, oldSid).get('/api/auth/me');
        expect(stale.status).toBe(401);
        expect(stale.body).toMatchObject({ code: 'unauthenticated' });
      }
      expect((await bystander.browser.get('/api/auth/me')).status).toBe(200);

      // Every read agrees before any job ran: the device list shows only the caller, the history shows why.
      const list = await caller.browser.get('/api/auth/sessions');
      expect(list.body.sessions.map((session: Row) => session['id'])).toEqual([caller.sessionId]);
      const history = await withCookie(b.url, caller.browser.cookie('sid')!).get('/api/auth/sessions?include=ended');
      const ended = Object.fromEntries(history.body.sessions.map((session: Row) => [session['id'], session]));
      for (const id of [laptop.sessionId, apiClient.session_id]) expect(ended[id]).toMatchObject({ endReason: 'password_change', endedAt: expect.any(String) });
      expect(ended[caller.sessionId]).not.toHaveProperty('endReason');
      const admin = await signIn(b.url, ADMIN);
      const users = await admin.browser.get(`/api/admin/users?search=${encodeURIComponent(account.email)}`);
      expect(users.status).toBe(200);
      expect(users.body.items).toEqual([expect.objectContaining({ id: account.id, activeSessions: 1 })]);
      const adminList = await withCookie(a.url, admin.browser.cookie('sid')!).get(`/api/admin/users/${account.id}/sessions`);
      expect(adminList.body.sessions.map((session: Row) => session['id'])).toEqual([caller.sessionId]);

      // No worker ran: the rows are still open and the refresh token unrevoked; the epoch alone ends them.
      const rows = await db.query<Row>('SELECT id, ended_at, end_reason FROM auth_sessions WHERE user_id = $1', [account.id]);
      expect(rows.filter((row) => row['ended_at'] !== null)).toEqual([]);
      const tokens = await db.query<Row>('SELECT revoked_at FROM auth_refresh_tokens WHERE session_id = $1', [apiClient.session_id]);
      expect(tokens.map((token) => token['revoked_at'])).toEqual([null]);
      const [state] = await db.query<Row>('SELECT epoch, epoch_reason FROM auth_user_session_state WHERE user_id = $1', [account.id]);
      expect(state).toMatchObject({ epoch: 1, epoch_reason: 'password_change' });

      // The audit events committed with the change.
      const audit = await auditOf(account.id);
      expect(audit.filter((event) => event['type'] === 'password_changed')).toEqual([
        expect.objectContaining({ actor_id: account.id, session_id: caller.sessionId }),
      ]);
      expect(audit.filter((event) => event['type'] === 'logout_everywhere')).toEqual([
        expect.objectContaining({ reason: 'password_change', metadata: expect.objectContaining({ count: 2 }) }),
      ]);
      expect(JSON.stringify(audit)).not.toContain(NEW_PASSWORD);
      expect(JSON.stringify(audit)).not.toContain(PASSWORD);

      // The job was recorded in the outbox and relayed to BullMQ, where it waits for a worker.
      const jobId = cleanupJobId(account.id, 1);
      const outbox = await db.query<Row>('SELECT job_name, job_id, relayed_at FROM auth_outbox WHERE job_id = $1', [jobId]);
      expect(outbox).toEqual([expect.objectContaining({ job_name: 'credential-change-cleanup' })]);
      await waitFor(
        'the outbox row to be relayed',
        async () => (await db.query<Row>('SELECT 1 FROM auth_outbox WHERE job_id = $1 AND relayed_at IS NOT NULL', [jobId])).length === 1,
        5000,
      );
      expect(await queue.getJobState(jobId)).toBe('waiting');

      // JOB-07: ids and versions only, never a secret, anywhere in the job's Redis keys.
      const job = (await queue.getJob(jobId))!;
      expect(Object.keys(job.data).sort()).toEqual(['changedAt', 'epoch', 'keptSessionId', 'notify', 'reason', 'userId']);
      expect(job.data).toMatchObject({ userId: account.id, epoch: 1, reason: 'password_change', keptSessionId: caller.sessionId });
      const stored = JSON.stringify(await redis.hgetall(`${scope.redisPrefix}:bull:auth-sessions:${jobId}`));
      expect(stored).toContain(account.id);
      for (const secret of [
        PASSWORD,
        NEW_PASSWORD,
        oldSid,
        caller.browser.cookie('sid')!,
        laptop.browser.cookie('sid')!,
        apiClient.access_token,
        apiClient.refresh_token,
      ]) {
        expect(stored).not.toContain(secret);
      }

      // The request path told every instance once, right after the commit.
      expect(announced).toEqual([expect.objectContaining({ reason: 'password_change', allOfUser: true, exceptSessionId: caller.sessionId })]);

      // The old password is dead; a NEW device signs in with the new one before the job runs (JOB-07).
      expect(await loginStatus(a, account.email, PASSWORD)).toBe(401);
      const newDevice = await signIn(b.url, { ...account, password: NEW_PASSWORD });

      // Now a worker runs the job: it marks exactly the sessions from before the change.
      worker = startWorker({ databaseUrl: scope.databaseUrl, redisPrefix: scope.redisPrefix });
      await waitFor('the job to complete', async () => (await queue.getJobState(jobId)) === 'completed', 20_000, 200);
      const after = Object.fromEntries(
        (await db.query<Row>('SELECT id, ended_at, end_reason FROM auth_sessions WHERE user_id = $1', [account.id])).map((row) => [row['id'], row]),
      );
      expect(after[laptop.sessionId]).toMatchObject({ end_reason: 'password_change', ended_at: new Date(job.data.changedAt) });
      expect(after[apiClient.session_id]).toMatchObject({ end_reason: 'password_change', ended_at: new Date(job.data.changedAt) });
      expect(after[caller.sessionId]).toMatchObject({ ended_at: null, end_reason: null });
      expect(after[newDevice.sessionId]).toMatchObject({ ended_at: null, end_reason: null });
      const revokedTokens = await db.query<Row>('SELECT revoked_at FROM auth_refresh_tokens WHERE session_id = $1', [apiClient.session_id]);
      expect(revokedTokens.map((token) => token['revoked_at'])).toEqual([new Date(job.data.changedAt)]);
      expect((await queue.getJob(jobId))!.returnvalue).toEqual({ marked: 2 });
      // The session opened under the new epoch and the kept one still work; the old ones stay dead.
      expect((await newDevice.browser.get('/api/auth/me')).status).toBe(200);
      expect((await caller.browser.get('/api/auth/me')).status).toBe(200);
      expect((await laptop.browser.get('/api/auth/me')).status).toBe(401);
      // The job republished the logout notification; the job wrote no audit event of its own.
      await waitFor('the job to republish the logout notification', () => announced.length === 2, 5000);
      expect(announced[1]).toMatchObject({ reason: 'password_change', allOfUser: true, exceptSessionId: caller.sessionId });
      expect((await auditOf(account.id)).filter((event) => ['password_changed', 'logout_everywhere'].includes(event['type'] as string))).toHaveLength(2);
    } finally {
      await worker?.stop();
      worker = undefined;
      subscriber.disconnect();
      await closeQueue();
    }
  });

  it('email, as a bearer caller: a new token pair, the old pair 401, every other session 401 with email_change', async () => {
    const account = await registerAccount(a.url, 'email');
    const newEmail = `changed-${account.email}`;
    const browser = await signIn(b.url, account);
    const caller = await bearerSignIn(a.url, account);
    expect((await meWithBearer(b.url, caller.access_token)).status).toBe(200);

    const response = await new BrowserClient(a.url).post('/api/auth/email', { bearer: caller.access_token, json: { password: PASSWORD, newEmail } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      revoked: 1,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: expect.any(Number),
    });
    expect(response.setCookies).toEqual([]);

    const browserAfter = await browser.browser.get('/api/auth/me');
    expect(browserAfter.status).toBe(401);
    expect(browserAfter.body).toMatchObject({ code: 'session_ended' });
    for (const api of [a, b]) {
      const stale = await meWithBearer(api.url, caller.access_token);
      expect(stale.status).toBe(401);
      expect(stale.body).toMatchObject({ code: 'unauthenticated' });
    }
    const staleRefresh = await refreshWith(b.url, caller.refresh_token);
    expect(staleRefresh.status).toBe(401);
    expect(staleRefresh.body).toMatchObject({ code: 'unauthenticated' });

    const current = await meWithBearer(b.url, response.body.access_token);
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ user: { id: account.id, email: newEmail }, session: { id: caller.session_id } });
    expect((await refreshWith(a.url, response.body.refresh_token)).status).toBe(200);

    expect(await loginStatus(b, account.email, PASSWORD)).toBe(401);
    expect(await loginStatus(b, newEmail, PASSWORD)).toBe(200);
    const audit = await auditOf(account.id);
    expect(audit.filter((event) => event['type'] === 'email_changed')).toHaveLength(1);
    expect(audit.filter((event) => event['type'] === 'logout_everywhere')).toEqual([
      expect.objectContaining({ reason: 'email_change', metadata: expect.objectContaining({ count: 1 }) }),
    ]);
    expect(JSON.stringify(audit)).not.toContain(caller.refresh_token);
  });

  it("security report: every session ends, the caller's too, with security_concern; cookies cleared with Clear-Site-Data", async () => {
    const account = await registerAccount(a.url, 'report');
    const caller = await signIn(a.url, account);
    const other = await signIn(b.url, account);
    const apiClient = await bearerSignIn(b.url, account);
    const oldSid = caller.browser.cookie('sid')!;

    const response = await caller.browser.post('/api/auth/security-report', { json: { note: 'I did not sign in from Lisbon.' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ revoked: 3 });
    expect(response.headers.get('clear-site-data')).toBe('"cache", "cookies", "storage"');
    expect(caller.browser.cookie('sid')).toBeUndefined();
    expect(caller.browser.cookie('XSRF-TOKEN')).toBeUndefined();

    for (const client of [withCookie(b.url, oldSid), withCookie(a.url, oldSid), other.browser]) {
      const rejected = await client.get('/api/auth/me');
      expect(rejected.status).toBe(401);
      expect(rejected.body).toMatchObject({ code: 'session_ended' });
    }
    expect((await meWithBearer(a.url, apiClient.access_token)).body).toMatchObject({ code: 'session_ended' });
    expect((await refreshWith(a.url, apiClient.refresh_token)).status).toBe(401);

    const audit = await auditOf(account.id);
    expect(audit.filter((event) => event['type'] === 'security_report')).toEqual([expect.objectContaining({ session_id: caller.sessionId })]);
    expect(audit.filter((event) => event['type'] === 'logout_everywhere')).toEqual([
      expect.objectContaining({ reason: 'security_concern', metadata: expect.objectContaining({ count: 3 }) }),
    ]);
    // The password still works: the user can sign back in (and should then change it).
    expect(await loginStatus(a, account.email, PASSWORD)).toBe(200);
  });

  it('the 401 of a session a credential change ended names the change (password_change, email_change, security_concern), on both instances, before any job ran', async () => {
    const reasons: Record<string, unknown[]> = {};
    for (const [kind, path, body] of [
      ['password_change', '/api/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }],
      ['email_change', '/api/auth/email', { password: PASSWORD, newEmail: 'placeholder' }],
      ['security_concern', '/api/auth/security-report', {}],
    ] as const) {
      const account = await registerAccount(a.url, 'reason');
      const caller = await signIn(a.url, account);
      const other = await signIn(b.url, account);
      const apiClient = await bearerSignIn(b.url, account);
      const json = 'newEmail' in body ? { ...body, newEmail: `new-${account.email}` } : body;
      expect((await caller.browser.post(path, { json })).status).toBe(200);
      reasons[kind] = [
        (await other.browser.get('/api/auth/me')).body.reason,
        (await withCookie(a.url, other.browser.cookie('sid')!).get('/api/auth/me')).body.reason,
        (await meWithBearer(a.url, apiClient.access_token)).body.reason,
        (await refreshWith(b.url, apiClient.refresh_token)).body.reason,
      ];
    }
    // Contract, Reasons: "password / email change: the user's others: password_change / email_change;
    // security report: all the user's: security_concern", in sessions, in 401 bodies and in logout events.
    expect(reasons).toEqual({
      password_change: Array(4).fill('password_change'),
      email_change: Array(4).fill('email_change'),
      security_concern: Array(4).fill('security_concern'),
    });
  });

  it('wrong current password: 403 invalid_password and nothing changes', async () => {
    const account = await registerAccount(a.url, 'wrong');
    const caller = await signIn(a.url, account);
    const other = await signIn(b.url, account);
    const sid = caller.browser.cookie('sid');

    for (const [path, json] of [
      ['/api/auth/password', { currentPassword: 'not the password at all', newPassword: NEW_PASSWORD }],
      ['/api/auth/email', { password: 'not the password at all', newEmail: `x-${account.email}` }],
    ] as const) {
      const response = await caller.browser.post(path, { json });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'invalid_password' });
      expect(response.setCookies).toEqual([]);
    }
    expect(caller.browser.cookie('sid')).toBe(sid);
    expect((await caller.browser.get('/api/auth/me')).status).toBe(200);
    expect((await other.browser.get('/api/auth/me')).status).toBe(200);
    expect(await loginStatus(b, account.email, PASSWORD)).toBe(200);
    expect(await loginStatus(b, account.email, NEW_PASSWORD)).toBe(401);
    expect(await loginStatus(b, `x-${account.email}`, PASSWORD)).toBe(401);
    expect(await db.query('SELECT 1 FROM auth_user_session_state WHERE user_id = $1', [account.id])).toEqual([]);
    expect(await db.query(`SELECT 1 FROM auth_outbox WHERE job_id LIKE $1`, [`credential-change-cleanup-${account.id}-%`])).toEqual([]);
    const types = (await auditOf(account.id)).map((event) => event['type']);
    expect(types).not.toContain('password_changed');
    expect(types).not.toContain('email_changed');
    expect(types).not.toContain('logout_everywhere');
  });

  it('new email taken (in any letter case): 409 and nothing changes', async () => {
    const taken = await registerAccount(a.url, 'taken');
    const account = await registerAccount(a.url, 'mover');
    const caller = await signIn(a.url, account);
    const other = await signIn(b.url, account);
    const sid = caller.browser.cookie('sid');

    for (const newEmail of [taken.email, taken.email.toUpperCase()]) {
      const response = await caller.browser.post('/api/auth/email', { json: { password: PASSWORD, newEmail } });
      expect(response.status).toBe(409);
      expect(JSON.stringify(response.body)).not.toMatch(/SELECT|UPDATE|duplicate key|QueryFailedError/);
    }
    expect(caller.browser.cookie('sid')).toBe(sid);
    expect((await caller.browser.get('/api/auth/me')).body.user.email).toBe(account.email);
    expect((await other.browser.get('/api/auth/me')).status).toBe(200);
    expect(await loginStatus(b, account.email, PASSWORD)).toBe(200);
    expect(await db.query('SELECT 1 FROM auth_user_session_state WHERE user_id = $1', [account.id])).toEqual([]);
    expect(await db.query(`SELECT 1 FROM auth_outbox WHERE job_id LIKE $1`, [`credential-change-cleanup-${account.id}-%`])).toEqual([]);
    expect((await auditOf(account.id)).map((event) => event['type'])).not.toContain('email_changed');
  });

  it('bad input is 400 and changes nothing: a new password outside 12-128 characters, a malformed email', async () => {
    const account = await registerAccount(a.url, 'short');
    const caller = await signIn(a.url, account);
    for (const newPassword of ['too short', 'x'.repeat(129), 12345678901234]) {
      const response = await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword } });
      expect(response.status).toBe(400);
    }
    expect((await caller.browser.post('/api/auth/email', { json: { password: PASSWORD, newEmail: 'not an email' } })).status).toBe(400);
    expect(await loginStatus(a, account.email, PASSWORD)).toBe(200);
    expect(await db.query('SELECT 1 FROM auth_user_session_state WHERE user_id = $1', [account.id])).toEqual([]);
  });

  it('needs the XSRF header from a cookie caller (403, nothing changes) and a session (401)', async () => {
    const account = await registerAccount(a.url, 'xsrf');
    const caller = await signIn(a.url, account);
    const other = await signIn(a.url, account);
    const forged = await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, xsrf: false });
    expect(forged.status).toBe(403);
    const anonymous = await new BrowserClient(a.url).post('/api/auth/security-report', { json: {} });
    expect(anonymous.status).toBe(401);
    expect((await other.browser.get('/api/auth/me')).status).toBe(200);
    expect(await loginStatus(a, account.email, PASSWORD)).toBe(200);
  });

  it('JOB-07: a sign-in with the old password that races the change does not outlive it', async () => {
    // A sign-in checks the password, then opens its session in a transaction of its own. When the
    // change commits in between, the new session must still end: it was proven with the old password.
    const account = await registerAccount(a.url, 'race');
    const caller = await signIn(a.url, account);
    const logins = Array.from({ length: 10 }, (_, index) =>
      delay(index * 25).then(async () => {
        const browser = new BrowserClient(b.url);
        const response = await browser.post('/api/auth/login', { json: { email: account.email, password: PASSWORD } });
        return { browser, status: response.status, sessionId: response.body?.session?.id as string | undefined };
      }),
    );
    const change = await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(change.status).toBe(200);
    const results = await Promise.all(logins);
    const survivors: Row[] = [];
    const [state] = await db.query<Row>('SELECT epoch, updated_at FROM auth_user_session_state WHERE user_id = $1', [account.id]);
    for (const result of results) {
      if (result.status !== 200) continue;
      if ((await result.browser.get('/api/auth/me')).status !== 200) continue;
      const row = (await db.session(result.sessionId!)) as Row;
      // What the failure shows: the session took the new epoch although its password check predates the change.
      survivors.push({ id: row['id'], epoch: row['epoch'], openedAfterTheChangeCommitted: row['created_at'] > state['updated_at'] });
    }
    // Every sign-in with the old password either failed or its session has ended.
    expect(survivors).toEqual([]);
  });
});

describe('credential endpoints are rate limited per client IP (AUTH_RATE_LIMIT=2)', () => {
  let scope: Isolated;
  let api: ApiProcess;

  beforeAll(async () => {
    scope = isolated('ratelimit');
    api = await startApi({ databaseUrl: scope.databaseUrl, env: { REDIS_PREFIX: scope.redisPrefix, AUTH_RATE_LIMIT: '2', RUN_WORKERS: 'false' } });
  });

  afterAll(async () => {
    await api?.stop();
    await scope?.drop();
  });

  it('should answer the third password attempt within a minute with 429 and Retry-After, and change nothing', async () => {
    // Register and sign in once (those are limited too, per route); then three password attempts.
    const account = await registerAccount(api.url, 'limited');
    const { browser } = await signIn(api.url, account);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      statuses.push((await browser.post('/api/auth/password', { json: { currentPassword: 'wrong password here', newPassword: NEW_PASSWORD } })).status);
    }
    expect(statuses.slice(0, 2)).toEqual([403, 403]);
    expect(statuses[2]).toBe(429);
    const limited = await browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The right password within the limit window did not change anything.
    expect((await browser.get('/api/auth/me')).status).toBe(200);
    for (const path of ['/api/auth/email', '/api/auth/security-report']) {
      const results: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        results.push(
          (
            await browser.post(path, {
              json: path.endsWith('email') ? { password: 'wrong password here', newEmail: 'n@example.com' } : { note: 'x'.repeat(2001) },
            })
          ).status,
        );
      }
      expect(results[2]).toBe(429);
    }
  });
});
