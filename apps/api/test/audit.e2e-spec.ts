import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { adminAccount, adminEnv, runAuditVerify } from './support/admin.js';
import { finishedJob, isolated, type Isolated, jobsQueue, waitFor } from './support/jobs.js';
import { TestDatabase } from './support/database.js';
import { SESSION_END_REASONS } from '@signoff/auth-sessions';

// From libs/auth-sessions/src/audit/audit-chain.ts.
const AUDIT_CHAIN_LOCK_KEY = '7312048812233002';
const REASONS: readonly string[] = SESSION_END_REASONS;
const OLD_EVENTS = 5;

interface AuditItem {
  id: string;
  type: string;
  at: string;
  userId: string | null;
  user?: { id: string; email: string } | null;
  reason: string | null;
  note: string | null;
}

describe('audit log (demo app on its own database)', () => {
  let scope: Isolated;
  let api: ApiProcess;
  let db: TestDatabase;
  // The same role and database the app connects with.
  let appConnection: pg.Client;
  const admin = adminAccount();

  beforeAll(async () => {
    scope = isolated('audit');
    api = await startApi({ databaseUrl: scope.databaseUrl, env: { ...adminEnv(admin), REDIS_PREFIX: scope.redisPrefix } });
    db = new TestDatabase(scope.databaseUrl);
    appConnection = new pg.Client({ connectionString: scope.databaseUrl });
    await appConnection.connect();
    // Events from long ago come first in the chain, so the retention prune has a prefix to cut.
    await db.query(
      `INSERT INTO auth_audit_events (id, type, at, user_id, reason, metadata)
       SELECT gen_random_uuid(), 'session_expired', now() - interval '500 days' + g * interval '1 minute', gen_random_uuid(), 'expired_idle', '{}'
         FROM generate_series(1, $1::int) g`,
      [OLD_EVENTS],
    );
  });

  afterAll(async () => {
    await api?.stop();
    await appConnection?.end();
    await db?.close();
    await scope?.drop();
  });

  const adminBrowser = async () => (await signIn(api.url, admin)).browser;
  // A raw GET with the browser's cookies: an NDJSON body is not one JSON document.
  const download = async (browser: BrowserClient, path: string) => {
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(new URL(path, api.url), { headers: { cookie } });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0].n);
  const unsealed = async () =>
    Number(
      (
        await db.query<{ n: string }>('SELECT count(*) AS n FROM auth_audit_events e WHERE NOT EXISTS (SELECT 1 FROM auth_audit_seals s WHERE s.seq = e.seq)')
      )[0].n,
    );
  const allSealed = () => waitFor('every audit event to be sealed', async () => (await unsealed()) === 0, 15_000, 200);

  describe('append-only in PostgreSQL', () => {
    it("should refuse UPDATE, DELETE and TRUNCATE of audit rows on the application's own connection, however it asks (AUD-05)", async () => {
      await signIn(api.url, await registerAccount(api.url, 'audited'));
      await allSealed();
      const before = { events: await count('auth_audit_events'), seals: await count('auth_audit_seals') };
      const refused = [
        `UPDATE auth_audit_events SET note = 'rewritten' WHERE seq = (SELECT max(seq) FROM auth_audit_events)`,
        `UPDATE auth_audit_events SET at = at - interval '1 year'`,
        `DELETE FROM auth_audit_events WHERE seq = (SELECT max(seq) FROM auth_audit_events)`,
        `DELETE FROM auth_audit_events WHERE at < now() - interval '400 days'`,
        `WITH gone AS (DELETE FROM auth_audit_events RETURNING 1) SELECT count(*) FROM gone`,
        `TRUNCATE auth_audit_events`,
        `TRUNCATE auth_audit_events, auth_audit_seals CASCADE`,
        `DO $$ BEGIN PERFORM set_config('signoff.audit_prune', 'on', true); DELETE FROM auth_audit_events; END $$`,
        `UPDATE auth_audit_seals SET hash = '\\x00'::bytea`,
        `DELETE FROM auth_audit_seals`,
        `TRUNCATE auth_audit_seals`,
        `TRUNCATE auth_audit_checkpoints`,
      ];
      for (const sql of refused) {
        const error = await appConnection.query(sql).then(
          () => null,
          (failure: Error & { code?: string }) => failure,
        );
        expect({ sql, code: error?.code, message: error?.message }).toEqual({ sql, code: '42501', message: expect.stringContaining('append-only') });
      }
      // The prune's own flag does not open the door to a statement of the client's.
      await appConnection.query('BEGIN');
      await appConnection.query(`SET LOCAL signoff.audit_prune = 'on'`);
      await expect(appConnection.query('DELETE FROM auth_audit_events')).rejects.toMatchObject({ code: '42501' });
      await appConnection.query('ROLLBACK');
      // Nor does the prune cut into recent history, called directly or through a hand-made checkpoint.
      await expect(appConnection.query('SELECT auth_audit_prune(29)')).rejects.toMatchObject({ code: '23514' });
      await expect(
        appConnection.query(`INSERT INTO auth_audit_checkpoints (cut_off, position, hash, deleted_events) VALUES (now(), 0, '\\x'::bytea, 0)`),
      ).rejects.toMatchObject({ code: '23514' });
      expect({ events: await count('auth_audit_events'), seals: await count('auth_audit_seals') }).toEqual(before);
    });
  });

  describe('written with the change it records', () => {
    it('should end a session and write its logout event in one statement: when the database refuses the event, the session stays signed in', async () => {
      const account = await registerAccount(api.url, 'atomic');
      const { browser, sessionId } = await signIn(api.url, account);
      // This test's own database refuses this user's logout event, and only that.
      await db.query(`
        CREATE FUNCTION test_refuse_logout_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.user_id = '${account.id}' AND NEW.type = 'logout' THEN
            RAISE EXCEPTION 'test: this logout event is refused';
          END IF;
          RETURN NEW;
        END $$`);
      await db.query('CREATE TRIGGER test_refuse_logout_event BEFORE INSERT ON auth_audit_events FOR EACH ROW EXECUTE FUNCTION test_refuse_logout_event()');
      try {
        const refused = await browser.post('/api/auth/logout', { openapi: false });
        expect(refused.status).toBeGreaterThanOrEqual(500);
        expect((await db.session(sessionId))!['ended_at']).toBeNull();
        expect((await browser.get('/api/auth/me')).status).toBe(200);
      } finally {
        await db.query('DROP TRIGGER test_refuse_logout_event ON auth_audit_events');
        await db.query('DROP FUNCTION test_refuse_logout_event()');
      }

      // Accepted: one event, every column from the request, at the very time written on the row.
      const requestId = `atomic-${sessionId.slice(0, 8)}`;
      const logout = await browser.post('/api/auth/logout', { headers: { 'x-request-id': requestId, 'user-agent': 'Atomic\tAgent/1.0' } });
      expect(logout.status).toBe(200);
      expect((await browser.get('/api/auth/me')).status).toBe(401);
      const row = (await db.session(sessionId))!;
      const events = (await db.auditEvents(account.id)).filter((event) => event['type'] === 'logout');
      expect(events).toEqual([
        expect.objectContaining({
          session_id: sessionId,
          user_id: account.id,
          actor_id: account.id,
          actor_email: account.email,
          reason: 'logout',
          note: null,
          ip: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
          user_agent: 'Atomic Agent/1.0',
          request_id: requestId,
          metadata: {},
        }),
      ]);
      expect((events[0]['at'] as Date).getTime()).toBe((row['ended_at'] as Date).getTime());
      await allSealed();
    });
  });

  describe('hash chain', () => {
    it('should seal each committed event shortly after commit, off the request path', async () => {
      const account = await registerAccount(api.url, 'sealed');
      const started = Date.now();
      await signIn(api.url, account);
      const [login] = await db.query<{ seq: string }>(`SELECT seq FROM auth_audit_events WHERE user_id = $1 AND type = 'login'`, [account.id]);
      // The row is committed, unchained, by the time the sign-in answers.
      expect(login).toBeDefined();
      await waitFor(
        'the login event to be sealed',
        async () => (await db.query('SELECT 1 FROM auth_audit_seals WHERE seq = $1', [login.seq])).length === 1,
        5_000,
        50,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      const positions = await db.query<{ position: string }>('SELECT position::text FROM auth_audit_seals ORDER BY position');
      expect(positions.map((row) => Number(row.position))).toEqual(positions.map((_row, index) => index + 1));
    });

    it('should run one sealer at a time: while another holds the chain lock nothing is sealed, and audit:verify counts what is pending', async () => {
      await allSealed();
      const holder = new pg.Client({ connectionString: scope.databaseUrl });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1::bigint)', [AUDIT_CHAIN_LOCK_KEY]);
        const account = await registerAccount(api.url, 'pending');
        await signIn(api.url, account);
        await signIn(api.url, account);
        await delay(2_500);
        expect(await unsealed()).toBe(2);
        const pending = await runAuditVerify(scope.databaseUrl);
        expect(pending.code).toBe(0);
        expect(pending.report).toMatchObject({ ok: true, unsealed: 2 });
        expect(pending.output).toContain('2 events not sealed yet');
      } finally {
        await holder.query('SELECT pg_advisory_unlock($1::bigint)', [AUDIT_CHAIN_LOCK_KEY]);
        await holder.end();
      }
      await allSealed();
    });

    it('should pass npm run audit:verify on an intact chain (exit 0)', async () => {
      await allSealed();
      const result = await runAuditVerify(scope.databaseUrl);
      expect(result.code).toBe(0);
      expect(result.output).toContain('audit:verify: OK');
      expect(result.report).toMatchObject({ ok: true, checkpoint: null, unsealed: 0, problem: null });
      expect(result.report.checked).toBe(await count('auth_audit_seals'));
    });
  });

  describe('retention prune', () => {
    it('should delete only events past retention through its job, with a checkpoint and an audit_pruned event, and verify from the checkpoint', async () => {
      await allSealed();
      const { queue, close } = jobsQueue(process.env['SIGNOFF_TEST_REDIS_URL']!, scope.redisPrefix);
      try {
        expect(await queue.getJobScheduler('prune-audit-events')).toMatchObject({ pattern: '17 3 * * *' });
        expect(await queue.getJobScheduler('seal-audit-events')).toMatchObject({ every: 1000 });
        const eventsBefore = await count('auth_audit_events');
        const finished = await finishedJob(queue, 'prune-audit-events');
        expect(finished.failedReason).toBeFalsy();
        expect(finished.returnvalue).toEqual({ deleted: OLD_EVENTS });

        expect(await db.query(`SELECT 1 FROM auth_audit_events WHERE at < now() - interval '400 days'`)).toEqual([]);
        // Five old events went, one audit_pruned event came.
        expect(await count('auth_audit_events')).toBe(eventsBefore - OLD_EVENTS + 1);
        const checkpoints = await db.query<{ position: string; deleted_events: string; hash: Buffer }>(
          'SELECT position::text, deleted_events::text, hash FROM auth_audit_checkpoints',
        );
        expect(checkpoints).toEqual([{ position: String(OLD_EVENTS), deleted_events: String(OLD_EVENTS), hash: expect.any(Buffer) }]);
        const [pruned] = await db.query<{ metadata: Record<string, unknown>; actor_id: string | null; reason: string | null }>(
          `SELECT metadata, actor_id, reason FROM auth_audit_events WHERE type = 'audit_pruned'`,
        );
        expect(pruned).toEqual({
          actor_id: null,
          reason: null,
          metadata: { cutOff: expect.any(String), deleted: OLD_EVENTS, checkpoint: { position: OLD_EVENTS, hash: checkpoints[0].hash.toString('hex') } },
        });

        await allSealed();
        const verified = await runAuditVerify(scope.databaseUrl);
        expect(verified.code).toBe(0);
        expect(verified.report).toMatchObject({ ok: true, checkpoint: { position: String(OLD_EVENTS) } });
        expect(verified.output).toContain(`from checkpoint at position ${OLD_EVENTS}`);

        const second = await finishedJob(queue, 'prune-audit-events');
        expect(second.returnvalue).toEqual({ deleted: 0 });
        expect(await count('auth_audit_checkpoints')).toBe(1);
        for (const sql of ['UPDATE auth_audit_checkpoints SET position = 0', 'DELETE FROM auth_audit_checkpoints']) {
          await expect(appConnection.query(sql)).rejects.toMatchObject({ code: '42501' });
        }
      } finally {
        await close();
      }
    });
  });

  describe('GET /api/admin/audit', () => {
    it('should page newest first with an opaque cursor, without repeats or gaps while new events arrive', async () => {
      const account = await registerAccount(api.url, 'paged');
      for (let i = 0; i < 11; i++) await new BrowserClient(api.url).post('/api/auth/token', { json: { email: account.email, password: PASSWORD } });
      const expected = (await db.query<{ id: string }>('SELECT id FROM auth_audit_events WHERE user_id = $1 ORDER BY seq DESC', [account.id])).map(
        (row) => row.id,
      );
      expect(expected).toHaveLength(11);
      const browser = await adminBrowser();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await browser.get(`/api/admin/audit?userId=${account.id}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        expect(response.status).toBe(200);
        seen.push(...(response.body.items as AuditItem[]).map((item) => item.id));
        cursor = response.body.nextCursor;
        pages += 1;
        // A new event lands at the head while paging: it must neither repeat nor shift a page.
        if (pages === 1) await new BrowserClient(api.url).post('/api/auth/token', { json: { email: account.email, password: PASSWORD } });
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(expected);
    });

    it('should apply every filter, alone and together: userId, type, from (inclusive) and to (exclusive)', async () => {
      const account = await registerAccount(api.url, 'filtered');
      const first = await signIn(api.url, account);
      await delay(20);
      const second = await signIn(api.url, account);
      await delay(20);
      await first.browser.post('/api/auth/logout');
      await delay(20);
      await second.browser.post('/api/auth/logout');
      const events = await db.query<{ id: string; type: string; at: Date }>('SELECT id, type, at FROM auth_audit_events WHERE user_id = $1 ORDER BY seq DESC', [
        account.id,
      ]);
      expect(events.map((event) => event.type)).toEqual(['logout', 'logout', 'login', 'login']);
      const browser = await adminBrowser();
      const ids = async (query: string) => {
        const response = await browser.get(`/api/admin/audit?${query}`);
        expect({ query, status: response.status }).toEqual({ query, status: 200 });
        return (response.body.items as AuditItem[]).map((item) => item.id);
      };
      const [logout2, logout1, login2, login1] = events.map((event) => event.id) as [string, string, string, string];
      const at = (index: number) => events[index].at.toISOString();

      expect(await ids(`userId=${account.id}`)).toEqual([logout2, logout1, login2, login1]);
      expect(await ids(`userId=${account.id}&type=login`)).toEqual([login2, login1]);
      expect(await ids(`userId=${account.id}&from=${at(2)}`)).toEqual([logout2, logout1, login2]);
      expect(await ids(`userId=${account.id}&to=${at(2)}`)).toEqual([login1]);
      expect(await ids(`userId=${account.id}&type=logout&from=${at(1)}&to=${at(0)}`)).toEqual([logout1]);
      const byType = await browser.get('/api/admin/audit?type=audit_pruned');
      expect((byType.body.items as AuditItem[]).map((item) => item.type)).toEqual(['audit_pruned']);
      const window = await browser.get(`/api/admin/audit?from=${at(3)}&to=${at(2)}`);
      expect((window.body.items as AuditItem[]).map((item) => item.id)).toEqual([login1]);
    });

    it.each([
      ['cursor=abc'],
      ['cursor=eyJ2IjoxLCJiZWZvcmUiOiIxIE9SIDE9MSJ9'],
      ['from=yesterday'],
      ['to=2026-13-01T00:00:00Z'],
      ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'],
      ['from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'],
      ['type=session.revoked'],
      ['userId=42'],
      ['limit=0'],
      ['limit=201'],
      ['limit=ten'],
      ['sort=asc'],
      // An empty value of a typed parameter is malformed, not absent.
      ['userId='],
      ['type='],
      ['from='],
      ['limit='],
      ['cursor='],
    ])('should reject %s with 400', async (query) => {
      const browser = await adminBrowser();
      const response = await browser.get(`/api/admin/audit?${query}`);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).not.toMatch(/SELECT|stack|QueryFailed/i);
    });

    it("should keep reason to the contract's codes and an admin's words in note, and audit every read (AUD-05)", async () => {
      const account = await registerAccount(api.url, 'noted');
      const session = await signIn(api.url, account);
      const browser = await adminBrowser();
      expect(
        (await browser.delete(`/api/admin/users/${account.id}/sessions/${session.sessionId}`, { json: { note: 'Phone stolen; revoke at once' } })).status,
      ).toBe(204);
      const response = await browser.get(`/api/admin/audit?userId=${account.id}&type=session_revoked`);
      expect(response.body.items).toEqual([
        expect.objectContaining({
          type: 'session_revoked',
          reason: 'revoked_by_admin',
          note: 'Phone stolen; revoke at once',
          actor: { id: expect.any(String), email: admin.email },
          userId: account.id,
          sessionId: session.sessionId,
          ip: '127.0.0.1',
          userAgent: expect.any(String),
          metadata: {},
        }),
      ]);
      const reasons = await db.query<{ reason: string }>('SELECT DISTINCT reason FROM auth_audit_events WHERE reason IS NOT NULL');
      for (const { reason } of reasons) expect(REASONS).toContain(reason);
      const reads = await db.query(`SELECT metadata FROM auth_audit_events WHERE type = 'audit_read' AND actor_email = $1 ORDER BY seq DESC LIMIT 1`, [
        admin.email,
      ]);
      expect(reads[0]).toEqual({ metadata: expect.objectContaining({ filter: { userId: account.id, type: 'session_revoked' }, returned: 1 }) });
    });

    it('should export the filtered events as NDJSON and as CSV, streamed with a download name', async () => {
      const account = await registerAccount(api.url, 'exported');
      await signIn(api.url, account, { userAgent: 'Agent, "quoted"/1.0' });
      await signIn(api.url, account);
      const browser = await adminBrowser();
      const listed = (await browser.get(`/api/admin/audit?userId=${account.id}`)).body.items as AuditItem[];

      const ndjson = await download(browser, `/api/admin/audit/export?format=ndjson&userId=${account.id}`);
      expect(ndjson.status).toBe(200);
      expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      expect(ndjson.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-.*\.ndjson"$/);
      const lines = ndjson.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as AuditItem);
      // Oldest first in the export, newest first in the list, and the same events: the user included.
      expect(lines).toEqual(listed.slice().reverse());
      expect(lines[0]).toMatchObject({ type: 'login', userAgent: 'Agent, "quoted"/1.0', actor: { email: account.email } });
      expect(lines[0].user).toEqual({ id: account.id, email: account.email });

      const csv = await download(browser, `/api/admin/audit/export?format=csv&userId=${account.id}&type=login`);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const records = csv.text.split('\r\n').filter((line) => line !== '');
      expect(records[0]).toBe('id,type,at,actorId,actorEmail,userId,userEmail,sessionId,ip,userAgent,reason,note,metadata,requestId');
      expect(records).toHaveLength(3);
      expect(records[1].split(',').slice(5, 7)).toEqual([account.id, account.email]);
      expect(records[1]).toContain(',"Agent, ""quoted""/1.0",');

      expect((await browser.get(`/api/admin/audit/export?format=xml`)).status).toBe(400);
      expect((await browser.get(`/api/admin/audit/export`)).status).toBe(400);
      const empty = await download(browser, `/api/admin/audit/export?format=ndjson&userId=${account.id}&type=audit_pruned`);
      expect({ status: empty.status, text: empty.text }).toEqual({ status: 200, text: '' });
    });
  });

  describe('audit:verify against tampering (a superuser with triggers disabled)', () => {
    let superuser: pg.Client;

    beforeAll(async () => {
      superuser = new pg.Client({ connectionString: scope.databaseUrl });
      await superuser.connect();
      // What a database superuser can always do: switch triggers off for the session.
      await superuser.query('SET session_replication_role = replica');
    });

    afterAll(async () => {
      await superuser?.end();
    });

    const sealedLogin = async () => {
      await allSealed();
      const [row] = await db.query<{ seq: string; id: string; ip: string }>(
        `SELECT e.seq::text, e.id, e.ip FROM auth_audit_events e JOIN auth_audit_seals s ON s.seq = e.seq WHERE e.type = 'login' ORDER BY e.seq LIMIT 1 OFFSET 2`,
      );
      return row;
    };

    it('should report a changed event, even by one microsecond (exit 1, tampered, its seq), and pass once it is restored', async () => {
      const target = await sealedLogin();
      await superuser.query(`UPDATE auth_audit_events SET ip = '203.0.113.66' WHERE seq = $1`, [target.seq]);
      const tampered = await runAuditVerify(scope.databaseUrl);
      expect(tampered.code).toBe(1);
      expect(tampered.report.problem).toMatchObject({ kind: 'tampered', seq: target.seq });
      expect(tampered.output).toContain(`FAILED: tampered event: event seq ${target.seq}`);

      await superuser.query('UPDATE auth_audit_events SET ip = $2 WHERE seq = $1', [target.seq, target.ip]);
      expect((await runAuditVerify(scope.databaseUrl)).code).toBe(0);
      await superuser.query(`UPDATE auth_audit_events SET at = at + interval '1 microsecond' WHERE seq = $1`, [target.seq]);
      expect((await runAuditVerify(scope.databaseUrl)).report.problem).toMatchObject({ kind: 'tampered', seq: target.seq });
      await superuser.query(`UPDATE auth_audit_events SET at = at - interval '1 microsecond' WHERE seq = $1`, [target.seq]);
      expect((await runAuditVerify(scope.databaseUrl)).code).toBe(0);
    });

    it('should report an event inserted behind the sealer (exit 1, inserted)', async () => {
      await allSealed();
      // The pruned events' sequence numbers are free and far below the sealer's watermark.
      await waitFor(
        'the watermark to pass the pruned events',
        async () => {
          const [state] = await db.query<{ watermark: string }>('SELECT watermark_seq::text AS watermark FROM auth_audit_seal_state');
          return Number(state.watermark) > OLD_EVENTS;
        },
        15_000,
        250,
      );
      await superuser.query(
        `INSERT INTO auth_audit_events (id, seq, type, at, user_id, reason) OVERRIDING SYSTEM VALUE
         VALUES (gen_random_uuid(), 3, 'logout', now() - interval '10 days', gen_random_uuid(), 'logout')`,
      );
      await delay(1_500);
      const inserted = await runAuditVerify(scope.databaseUrl);
      expect(inserted.code).toBe(1);
      expect(inserted.report.problem).toMatchObject({ kind: 'inserted', seq: '3' });
      await superuser.query('DELETE FROM auth_audit_events WHERE seq = 3');
      expect((await runAuditVerify(scope.databaseUrl)).code).toBe(0);
    });

    it('should report a deleted event (exit 1, deleted, its seq)', async () => {
      const target = await sealedLogin();
      await superuser.query('DELETE FROM auth_audit_events WHERE seq = $1', [target.seq]);
      const deleted = await runAuditVerify(scope.databaseUrl);
      expect(deleted.code).toBe(1);
      expect(deleted.report.problem).toMatchObject({ kind: 'deleted', seq: target.seq });
      expect(deleted.output).toContain(`FAILED: deleted event: event seq ${target.seq}`);
    });
  });

  describe('export against a slow reader', () => {
    it('should hold no transaction while the client is not reading, and still send every event', async () => {
      // Enough events that the answer outgrows the socket's buffers (about 13 MB of NDJSON): the
      // server then waits for the client between batches. Until 12-04 the whole export ran in one
      // REPEATABLE READ transaction, so a slow reader pinned a pooled connection (behind a
      // transaction-mode pooler, one of its few server connections) for as long as it liked.
      const userId = randomUUID();
      const events = 30_000;
      await db.query(
        `INSERT INTO auth_audit_events (id, type, at, user_id, reason, metadata)
         SELECT gen_random_uuid(), 'session_expired', now(), $1, 'expired_idle', jsonb_build_object('n', g, 'pad', repeat('x', 200))
           FROM generate_series(1, $2::int) g`,
        [userId, events],
      );
      const browser = await adminBrowser();
      const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      let stalled: { open: string[]; bytes: number } | undefined;
      // The app's backends of this database that sit in an open transaction for over a second, by
      // their last statement. The audit sealer is left out: it seals the 30,000 new events in
      // transactions of its own under its advisory lock (hashing in Node between batches, so idle in
      // transaction for a moment), and a loaded machine can catch it there at the three-second mark.
      const inTransaction = async () =>
        (
          await db.query<{ query: string }>(
            `SELECT left(a.query, 120) AS query FROM pg_stat_activity a
              WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
                AND a.state LIKE 'idle in transaction%' AND a.xact_start < now() - interval '1 second'
                AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory')`,
          )
        ).map((row) => row.query);
      const received: Buffer[] = [];
      const ended = new Promise<void>((resolve, reject) => {
        const request = http.get(new URL(`/api/admin/audit/export?format=ndjson&userId=${userId}`, api.url), { headers: { cookie } }, (response) => {
          expect(response.statusCode).toBe(200);
          response.pause();
          response.on('data', (chunk: Buffer) => received.push(chunk));
          response.on('end', resolve);
          response.on('error', reject);
          // Not reading for three seconds: the server is blocked on a full socket by then.
          setTimeout(() => {
            void inTransaction().then((open) => {
              stalled = { open, bytes: received.reduce((total, chunk) => total + chunk.length, 0) };
              response.resume();
            }, reject);
          }, 3_000);
        });
        request.on('error', reject);
      });
      await ended;
      expect(stalled).toEqual({ open: [], bytes: 0 });
      const body = Buffer.concat(received);
      expect(body.length).toBeGreaterThan(8_000_000);
      const lines = body
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '');
      expect(lines).toHaveLength(events);
      expect(lines.map((line) => (JSON.parse(line) as { metadata: { n: number } }).metadata.n)).toEqual(Array.from({ length: events }, (_, i) => i + 1));
    }, 60_000);
  });
});
