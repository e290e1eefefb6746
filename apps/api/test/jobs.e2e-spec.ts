import { setTimeout as delay } from 'node:timers/promises';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../test-support/throwaway-redis.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { type Isolated, type WorkerProcess, bearerSignIn, isolated, jobsQueue, cleanupJobId, meWithBearer, startWorker, waitFor } from './support/jobs.js';

const NEW_PASSWORD = 'a brand new and longer passphrase';
const REDIS_URL = process.env['SIGNOFF_TEST_REDIS_URL']!;
// Every column of auth_sessions but the id and the token hash, which must be unique.
const COPIED_COLUMNS =
  'user_id, kind, remember_me, user_agent, browser, os, device_type, ip, created_at, last_active_at, idle_seconds, absolute_expires_at, fresh_at, epoch, generation';

type Row = Record<string, any>;

/** Adds `copies` open sessions like `sessionId` (same user, device and times), each with a random token hash. */
async function copySession(db: TestDatabase, sessionId: string, copies: number): Promise<void> {
  await db.query(
    `INSERT INTO auth_sessions (id, token_hash, ${COPIED_COLUMNS})
     SELECT gen_random_uuid(), decode(md5(random()::text), 'hex') || decode(md5(random()::text), 'hex'), ${COPIED_COLUMNS}
       FROM auth_sessions, generate_series(1, $2) WHERE id = $1`,
    [sessionId, copies],
  );
}

async function changePassword(browser: Awaited<ReturnType<typeof signIn>>['browser']) {
  return browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
}

describe('the credential-change clean-up job survives a worker killed mid-job and runs exactly once (JOB-02, JOB-04)', () => {
  const EXTRA_SESSIONS = 600;
  // A killed worker's lock runs out within a second and the next stalled check (every second) hands the job on.
  const WORKER_ENV = { JOB_BATCH_SIZE: '1', JOB_LOCK_DURATION_MS: '1000', JOB_STALLED_INTERVAL_MS: '1000' };
  let scope: Isolated;
  let api: ApiProcess;
  let db: TestDatabase;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    scope = isolated('jobkill');
    db = new TestDatabase(scope.databaseUrl);
    api = await startApi({ databaseUrl: scope.databaseUrl, env: { REDIS_PREFIX: scope.redisPrefix, RUN_WORKERS: 'false' } });
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), ...workers.map((worker) => worker.stop())]);
    await db?.close();
    await scope?.drop();
  });

  it('should resume in a second worker after SIGKILL, mark every session once, write one audit pair, and ignore a repeated relay', async () => {
    const account = await registerAccount(api.url, 'killed');
    const caller = await signIn(api.url, account);
    const phone = await signIn(api.url, account);
    // Many sessions make the job slow (one transaction per session with JOB_BATCH_SIZE=1) and observable.
    await copySession(db, phone.sessionId, EXTRA_SESSIONS);
    const others = EXTRA_SESSIONS + 1;
    const { queue, close } = jobsQueue(REDIS_URL, scope.redisPrefix);
    try {
      const response = await changePassword(caller.browser);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ revoked: others });
      expect((await phone.browser.get('/api/auth/me')).status).toBe(401);
      const jobId = cleanupJobId(account.id, 1);
      await waitFor('the job to reach BullMQ', async () => (await queue.getJobState(jobId)) === 'waiting', 5000);
      const markedCount = async (): Promise<number> =>
        Number((await db.query<Row>('SELECT count(*) AS n FROM auth_sessions WHERE user_id = $1 AND ended_at IS NOT NULL', [account.id]))[0]['n']);

      // The first worker starts marking; it is killed (no shutdown, no lock release) part-way through.
      const first = startWorker({ databaseUrl: scope.databaseUrl, redisPrefix: scope.redisPrefix, env: WORKER_ENV });
      workers.push(first);
      await waitFor('the first worker to mark some sessions', async () => (await markedCount()) >= 20, 20_000, 20);
      first.kill('SIGKILL');
      await first.exited;
      const killedAt = Date.now();
      // PostgreSQL rolls back the transaction the dead worker had open; what committed stays.
      await delay(300);
      const markedBefore = await db.query<Row>(
        'SELECT id, xmin::text AS xmin, ended_at, end_reason FROM auth_sessions WHERE user_id = $1 AND ended_at IS NOT NULL',
        [account.id],
      );
      expect(markedBefore.length).toBeGreaterThan(0);
      expect(markedBefore.length).toBeLessThan(others);
      expect(await queue.getJobState(jobId)).toBe('active');

      // A second worker recovers the stalled job and finishes it.
      const second = startWorker({ databaseUrl: scope.databaseUrl, redisPrefix: scope.redisPrefix, env: WORKER_ENV });
      workers.push(second);
      await waitFor('the job to complete in the second worker', async () => (await queue.getJobState(jobId)) === 'completed', 30_000, 100);
      const recoveredWithin = Date.now() - killedAt;

      const job = (await queue.getJob(jobId))!;
      const changedAt = new Date(job.data.changedAt);
      const rows = await db.query<Row>('SELECT id, xmin::text AS xmin, ended_at, end_reason FROM auth_sessions WHERE user_id = $1', [account.id]);
      const ended = rows.filter((row) => row['id'] !== caller.sessionId);
      expect(ended).toHaveLength(others);
      expect(ended.filter((row) => row['end_reason'] !== 'password_change' || row['ended_at']?.getTime() !== changedAt.getTime())).toEqual([]);
      expect(rows.find((row) => row['id'] === caller.sessionId)).toMatchObject({ ended_at: null, end_reason: null });
      // Rows the first worker had marked were not touched again (same row version, same values).
      const byId = new Map(rows.map((row) => [row['id'], row]));
      expect(markedBefore.filter((row) => byId.get(row['id'])!['xmin'] !== row['xmin'])).toEqual([]);
      // The second run marked exactly what was left.
      expect(job.returnvalue).toEqual({ marked: others - markedBefore.length });
      expect(recoveredWithin).toBeLessThan(15_000);

      const audit = (await db.auditEvents(account.id)) as Row[];
      expect(audit.filter((event) => event['type'] === 'password_changed')).toHaveLength(1);
      expect(audit.filter((event) => event['type'] === 'logout_everywhere')).toEqual([
        expect.objectContaining({ reason: 'password_change', metadata: expect.objectContaining({ count: others }) }),
      ]);
      expect((await caller.browser.get('/api/auth/me')).status).toBe(200);

      // The same change relayed again (a relay that crashed before recording success) adds nothing:
      // the deterministic job id makes BullMQ ignore it, and nothing is marked or audited twice.
      const finishedOn = job.finishedOn;
      await db.query('UPDATE auth_outbox SET relayed_at = NULL WHERE job_id = $1', [jobId]);
      await waitFor(
        'the relay to hand the entry over again',
        async () => (await db.query('SELECT 1 FROM auth_outbox WHERE job_id = $1 AND relayed_at IS NOT NULL', [jobId])).length === 1,
        10_000,
      );
      await queue.add('credential-change-cleanup', job.data, { jobId });
      await delay(1500);
      expect(await queue.getJobState(jobId)).toBe('completed');
      expect((await queue.getJob(jobId))!.finishedOn).toBe(finishedOn);
      const again = await db.query<Row>('SELECT id, xmin::text AS xmin FROM auth_sessions WHERE user_id = $1', [account.id]);
      expect(again.filter((row) => byId.get(row['id'])!['xmin'] !== row['xmin'])).toEqual([]);
      expect(((await db.auditEvents(account.id)) as Row[]).length).toBe(audit.length);
      expect(await db.query('SELECT 1 FROM auth_outbox WHERE job_id = $1', [jobId])).toHaveLength(1);
    } finally {
      await close();
    }
  });
});

describe('Redis down during a password change: the request succeeds and the job waits in PostgreSQL (JOB-06)', () => {
  let scope: Isolated;
  let redis: ThrowawayRedis;
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    scope = isolated('redisdown');
    db = new TestDatabase(scope.databaseUrl);
    redis = await startThrowawayRedis();
    // The default: this instance runs the worker itself.
    api = await startApi({ databaseUrl: scope.databaseUrl, redisUrl: redis.url, env: { REDIS_PREFIX: scope.redisPrefix } });
  });

  afterAll(async () => {
    await api?.stop();
    await redis?.dispose();
    await db?.close();
    await scope?.drop();
  });

  it('should answer 200, end the other sessions at once, keep the outbox row pending, and run the job once Redis is back', async () => {
    const account = await registerAccount(api.url, 'redisdown');
    const caller = await signIn(api.url, account);
    const laptop = await signIn(api.url, account);
    const apiClient = await bearerSignIn(api.url, account);
    await redis.stop();

    const response = await changePassword(caller.browser);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ revoked: 2 });
    expect((await laptop.browser.get('/api/auth/me')).status).toBe(401);
    expect((await meWithBearer(api.url, apiClient.access_token)).status).toBe(401);
    expect((await caller.browser.get('/api/auth/me')).status).toBe(200);

    const jobId = cleanupJobId(account.id, 1);
    const outboxRow = async (): Promise<Row> => (await db.query<Row>('SELECT * FROM auth_outbox WHERE job_id = $1', [jobId]))[0];
    // The relay polls every second; it keeps failing while Redis is down and the entry stays pending.
    await waitFor('a failed relay attempt', async () => (await outboxRow())['attempts'] >= 1, 10_000);
    await delay(1500);
    const pending = await outboxRow();
    expect(pending).toMatchObject({ job_name: 'credential-change-cleanup', relayed_at: null });
    expect(pending['last_error']).toEqual(expect.any(String));
    expect(JSON.stringify(pending)).not.toContain(NEW_PASSWORD);
    expect(pending['payload']).toMatchObject({ userId: account.id, epoch: 1, reason: 'password_change', keptSessionId: caller.sessionId });
    const open = await db.query<Row>('SELECT id FROM auth_sessions WHERE user_id = $1 AND ended_at IS NULL', [account.id]);
    expect(open).toHaveLength(3);

    await redis.start();
    const restartedAt = Date.now();
    await waitFor('the outbox row to be relayed', async () => (await outboxRow())['relayed_at'] !== null, 10_000, 200);
    await waitFor(
      'the job to mark the sessions',
      async () => (await db.query('SELECT 1 FROM auth_sessions WHERE user_id = $1 AND end_reason = $2', [account.id, 'password_change'])).length === 2,
      15_000,
      200,
    );
    expect(Date.now() - restartedAt).toBeLessThan(15_000);
    const { queue, close } = jobsQueue(redis.url, scope.redisPrefix);
    try {
      await waitFor('the job to complete', async () => (await queue.getJobState(jobId)) === 'completed', 5000);
    } finally {
      await close();
    }
    const rows = await db.query<Row>('SELECT id, end_reason FROM auth_sessions WHERE user_id = $1', [account.id]);
    expect(Object.fromEntries(rows.map((row) => [row['id'], row['end_reason']]))).toEqual({
      [caller.sessionId]: null,
      [laptop.sessionId]: 'password_change',
      [apiClient.session_id]: 'password_change',
    });
    expect(await db.query('SELECT 1 FROM auth_refresh_tokens WHERE session_id = $1 AND revoked_at IS NULL', [apiClient.session_id])).toEqual([]);
  });
});

describe('a failing job is retried with exponential backoff, and one that finally fails stays visible (JOB-03)', () => {
  let scope: Isolated;
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    scope = isolated('jobretry');
    db = new TestDatabase(scope.databaseUrl);
    api = await startApi({ databaseUrl: scope.databaseUrl, env: { REDIS_PREFIX: scope.redisPrefix } });
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
    await scope?.drop();
  });

  it('should retry while the database refuses the clean-up, keep the sessions rejected meanwhile, and complete once it accepts', async () => {
    const account = await registerAccount(api.url, 'retry');
    const caller = await signIn(api.url, account);
    const laptop = await signIn(api.url, account);
    // This test's own database refuses to end this user's sessions: every run of the job fails.
    await db.query(`
      CREATE FUNCTION test_refuse_session_end() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.user_id = '${account.id}' AND OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL THEN
          RAISE EXCEPTION 'test: ending sessions is refused for now';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query('CREATE TRIGGER test_refuse_session_end BEFORE UPDATE ON auth_sessions FOR EACH ROW EXECUTE FUNCTION test_refuse_session_end()');
    const { queue, close } = jobsQueue(REDIS_URL, scope.redisPrefix);
    try {
      expect((await changePassword(caller.browser)).status).toBe(200);
      const jobId = cleanupJobId(account.id, 1);
      const job = await waitFor(
        'the job to have failed three times',
        async () => {
          const found = await queue.getJob(jobId);
          return found && found.attemptsMade >= 3 ? found : null;
        },
        20_000,
        200,
      );
      expect(job.opts).toMatchObject({ attempts: 8, backoff: { type: 'exponential', delay: 1000 } });
      expect(job.failedReason).toContain('ending sessions is refused');
      expect(['delayed', 'waiting', 'active']).toContain(await queue.getJobState(jobId));
      expect(api.logs()).toMatch(new RegExp(`Job credential-change-cleanup \\(${jobId}\\) failed on attempt \\d+: .*; retrying`));
      // The user is protected all along: the epoch, not the job, ended the session.
      expect((await laptop.browser.get('/api/auth/me')).status).toBe(401);

      // A job whose attempts run out stays in the failed set, with an error log line.
      const doomedId = `test-final-failure-${account.id}`;
      await queue.add('credential-change-cleanup', job.data, { jobId: doomedId, attempts: 2, backoff: { type: 'fixed', delay: 100 }, removeOnFail: false });
      await waitFor('the doomed job to fail for good', async () => (await queue.getJobState(doomedId)) === 'failed', 10_000, 100);
      expect((await queue.getFailed()).map((failed) => failed.id)).toContain(doomedId);
      await waitFor('the final failure to be logged', () => api.logs().includes(`(${doomedId}) failed on attempt 2`), 5000);
      expect(api.logs()).toMatch(/no retries left, it stays in the failed set/);
      // ...and a metric an alert can watch.
      const metrics = await fetch(`${api.url}/metrics`).then((response) => response.text());
      expect(metrics).toMatch(/^signoff_job_failures_total\{job="credential-change-cleanup",final="true"\} 1$/m);
      expect(metrics).toMatch(/^signoff_jobs\{state="failed"\} 1$/m);

      // The database accepts again: the next retry completes the job.
      await db.query('DROP TRIGGER test_refuse_session_end ON auth_sessions');
      await waitFor('the job to complete after the fault', async () => (await queue.getJobState(jobId)) === 'completed', 20_000, 200);
      expect(await db.query<Row>('SELECT end_reason FROM auth_sessions WHERE id = $1', [laptop.sessionId])).toEqual([{ end_reason: 'password_change' }]);
      expect((await queue.getJob(jobId))!.attemptsMade).toBeGreaterThanOrEqual(3);
    } finally {
      await close();
      await db.query('DROP TRIGGER IF EXISTS test_refuse_session_end ON auth_sessions').catch(() => undefined);
    }
  });
});

describe('logout everywhere of more sessions than one transaction marks: an epoch bump now, the rows by the clean-up job', () => {
  const EXTRA_SESSIONS = 1200;
  let scope: Isolated;
  let a: ApiProcess;
  let b: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    scope = isolated('epochlogout');
    db = new TestDatabase(scope.databaseUrl);
    // A runs the worker; B only serves, so what B answers comes from the epoch, not from marked rows.
    a = await startApi({ databaseUrl: scope.databaseUrl, env: { REDIS_PREFIX: scope.redisPrefix } });
    b = await startApi({ databaseUrl: scope.databaseUrl, env: { REDIS_PREFIX: scope.redisPrefix, RUN_WORKERS: 'false' } });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await scope?.drop();
  });

  it('should end every other session on both instances before answering, then mark each row with the reason and the author, with one audit event', async () => {
    const account = await registerAccount(a.url, 'epochlogout');
    const caller = await signIn(a.url, account);
    const phone = await signIn(a.url, account);
    await copySession(db, phone.sessionId, EXTRA_SESSIONS);
    const others = EXTRA_SESSIONS + 1;
    const phoneOnB = new BrowserClient(b.url);
    phoneOnB.cookies.set('sid', phone.browser.cookie('sid')!);
    expect((await phoneOnB.get('/api/auth/me')).status).toBe(200);

    const response = await caller.browser.post('/api/auth/logout-all', { json: { keepCurrent: true } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ revoked: others });
    for (const client of [phone.browser, phoneOnB]) {
      expect((await client.get('/api/auth/me')).body).toMatchObject({ code: 'session_ended', reason: 'logout_everywhere' });
    }
    expect((await caller.browser.get('/api/auth/me')).status).toBe(200);
    // Own devices already list only the caller's session, before any row is marked.
    expect((await caller.browser.get('/api/auth/sessions')).body.sessions.map((session: Row) => session['id'])).toEqual([caller.sessionId]);

    await waitFor(
      'the clean-up job to mark every row',
      async () =>
        Number((await db.query<Row>('SELECT count(*) AS n FROM auth_sessions WHERE user_id = $1 AND ended_at IS NOT NULL', [account.id]))[0]['n']) === others,
      30_000,
      200,
    );
    const rows = await db.query<Row>(
      'SELECT end_reason, ended_by_id, ended_by_email, count(*)::int AS n FROM auth_sessions WHERE user_id = $1 AND ended_at IS NOT NULL GROUP BY 1, 2, 3',
      [account.id],
    );
    expect(rows).toEqual([{ end_reason: 'logout_everywhere', ended_by_id: account.id, ended_by_email: account.email, n: others }]);
    const audit = ((await db.auditEvents(account.id)) as Row[]).filter((event) => event['type'] === 'logout_everywhere');
    expect(audit).toEqual([expect.objectContaining({ reason: 'logout_everywhere', metadata: { count: others, keptCurrent: true } })]);
    expect((await caller.browser.get('/api/auth/me')).status).toBe(200);
  });
});
