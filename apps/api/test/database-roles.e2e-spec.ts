import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { runAuditVerify } from './support/admin.js';
import { TestDatabase } from './support/database.js';
import { bearerSignIn, finishedJob, isolated, type Isolated, jobsQueue, waitFor } from './support/jobs.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const OLD_EVENTS = 4;
const AUDIT_TABLES = ['auth_audit_events', 'auth_audit_seals', 'auth_audit_checkpoints'];

/**
 * Least privilege (AUD-05, ASVS 13.2.2): `npm run db:roles` creates an owner and a runtime role;
 * the app migrates as the owner (MIGRATION_DATABASE_URL) and serves as the runtime role
 * (DATABASE_URL), which may only INSERT and SELECT the audit tables and has no DDL, even when the
 * owner has switched the append-only triggers off.
 */
describe('PostgreSQL roles: migrations as the owner, the app as a runtime role (AUD-05)', () => {
  const adminUrl = process.env['SIGNOFF_TEST_PG_ADMIN_URL']!;
  const suffix = randomBytes(3).toString('hex');
  const owner = { name: `signoff_test_owner_${suffix}`, password: randomBytes(12).toString('hex') };
  const runtime = { name: `signoff_test_app_${suffix}`, password: randomBytes(12).toString('hex') };
  let scope: Isolated;
  let ownerUrl: string;
  let runtimeUrl: string;
  let api: ApiProcess;
  let asOwner: pg.Client;
  let asRuntime: pg.Client;
  let db: TestDatabase;

  const urlFor = (role: { name: string; password: string }) => {
    const url = new URL(scope.databaseUrl);
    url.username = role.name;
    url.password = role.password;
    return url.toString();
  };

  beforeAll(async () => {
    scope = isolated('roles');
    ownerUrl = urlFor(owner);
    runtimeUrl = urlFor(runtime);
    const created = await run('db:roles', { POSTGRES_ADMIN_URL: adminUrl, DATABASE_URL: runtimeUrl, MIGRATION_DATABASE_URL: ownerUrl });
    expect(created).toMatchObject({ code: 0 });
    api = await startApi({ databaseUrl: runtimeUrl, env: { MIGRATION_DATABASE_URL: ownerUrl, REDIS_PREFIX: scope.redisPrefix } });
    asOwner = await connect(ownerUrl);
    asRuntime = await connect(runtimeUrl);
    db = new TestDatabase(scope.databaseUrl);
    // Long-past events come first in the chain, so the retention prune has a prefix to cut.
    await asOwner.query(
      `INSERT INTO auth_audit_events (id, type, at, user_id, reason, metadata)
       SELECT gen_random_uuid(), 'session_expired', now() - interval '500 days' + g * interval '1 minute', gen_random_uuid(), 'expired_idle', '{}'
         FROM generate_series(1, $1::int) g`,
      [OLD_EVENTS],
    );
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await asOwner?.end();
    await asRuntime?.end();
    await db?.close();
    await scope?.drop();
    const admin = await connect(adminUrl);
    try {
      for (const role of [runtime.name, owner.name]) await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    } finally {
      await admin.end();
    }
  });

  it('should print the same setup as SQL for a DBA, with the passwords left as psql variables', async () => {
    const printed = await run('db:roles', { DATABASE_URL: runtimeUrl, MIGRATION_DATABASE_URL: ownerUrl }, ['--print']);

    expect(printed.code).toBe(0);
    expect(printed.output).toContain(`CREATE ROLE "${runtime.name}" LOGIN NOINHERIT PASSWORD :'runtime_password';`);
    expect(printed.output).toContain(`CREATE DATABASE "${new URL(scope.databaseUrl).pathname.slice(1)}" OWNER "${owner.name}";`);
    expect(printed.output).not.toContain(owner.password);
    expect(printed.output).not.toContain(runtime.password);
  });

  it('should serve sign-in, logout and a credential change with its job while connected as the runtime role only', async () => {
    const account = await registerAccount(api.url, 'least');
    const caller = await signIn(api.url, account);
    const other = await signIn(api.url, account);
    expect((await caller.browser.get('/api/auth/me')).status).toBe(200);
    const changed = await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: 'another long enough passphrase' } });
    expect(changed.status).toBe(200);
    expect((await other.browser.get('/api/auth/me')).status).toBe(401);
    // The clean-up job ran in the app's worker, as the runtime role.
    await waitFor(
      'the logout-everywhere job to mark the other session',
      async () => (await db.session(other.sessionId))?.['end_reason'] === 'password_change',
      15_000,
    );
    expect((await caller.browser.post('/api/auth/logout')).status).toBe(200);
    expect((await caller.browser.get('/api/auth/me')).status).toBe(401);
    // Audit events were written and sealed by the runtime role.
    const types = (await db.auditEvents(account.id)).map((event) => event['type']);
    expect(types).toEqual(expect.arrayContaining(['login', 'password_changed', 'logout_everywhere', 'logout']));
    await waitFor('every audit event to be sealed', async () => (await unsealed()) === 0, 15_000, 200);

    // The app holds connections as the runtime role and none as the owner (it migrated, then let go).
    const roles = await db.query<{ usename: string }>(
      `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND application_name <> 'signoff-test' AND usename IN ($2, $3)`,
      [new URL(scope.databaseUrl).pathname.slice(1), runtime.name, owner.name],
    );
    expect(roles.map((row) => row.usename)).toEqual([runtime.name]);
  });

  it('should refuse the runtime role UPDATE, DELETE, TRUNCATE and DDL on the audit log, even with the triggers disabled by the owner', async () => {
    const refusedSql = [
      ...AUDIT_TABLES.flatMap((table) => [
        `UPDATE ${table} SET ${table === 'auth_audit_events' ? 'note' : 'hash'} = ${table === 'auth_audit_events' ? `'rewritten'` : `'\\x00'::bytea`}`,
        `DELETE FROM ${table}`,
      ]),
      `TRUNCATE auth_audit_events`,
      `INSERT INTO auth_audit_checkpoints (cut_off, position, hash, deleted_events) VALUES (now() - interval '500 days', 0, '\\x'::bytea, 0)`,
    ];
    const ddl = [
      `ALTER TABLE auth_audit_events DISABLE TRIGGER ALL`,
      `DROP TRIGGER auth_audit_events_append_only ON auth_audit_events`,
      `DROP TABLE auth_audit_seals`,
      `CREATE TABLE signoff_intruder (id int)`,
      `CREATE FUNCTION signoff_intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
    ];
    const attempt = async (client: pg.Client, sql: string) => {
      const error = await client.query(sql).then(
        () => null,
        (failure: Error & { code?: string }) => failure,
      );
      return { sql, code: error?.code ?? 'succeeded', message: error?.message ?? '' };
    };
    const permissionDenied = (sql: string) => ({ sql, code: '42501', message: expect.stringMatching(/permission denied|must be owner/) });
    const before = await counts();

    for (const sql of [...refusedSql, ...ddl]) expect(await attempt(asRuntime, sql)).toEqual(permissionDenied(sql));

    // The owner (or a superuser) can switch the append-only triggers off; the runtime role still cannot write.
    for (const table of AUDIT_TABLES) await asOwner.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`);
    try {
      for (const sql of refusedSql) {
        const result = await attempt(asRuntime, sql);
        expect(result).toEqual(permissionDenied(sql));
        expect(result.message).not.toContain('append-only');
      }
      // The triggers really were off: the owner's own UPDATE goes through (rolled back).
      await asOwner.query('BEGIN');
      const rewritten = await asOwner.query(`UPDATE auth_audit_events SET note = 'rewritten'`);
      expect(rewritten.rowCount).toBeGreaterThan(0);
      await asOwner.query('ROLLBACK');
    } finally {
      for (const table of AUDIT_TABLES) await asOwner.query(`ALTER TABLE ${table} ENABLE TRIGGER ALL`);
    }
    expect(await counts()).toEqual(before);
    // Inserting and reading is what the runtime role may do.
    expect((await asRuntime.query('SELECT count(*) FROM auth_audit_seals')).rowCount).toBe(1);
  });

  it('should let the runtime role run the retention prune through its job (SECURITY DEFINER) and nothing more recent', async () => {
    await waitFor('every audit event to be sealed', async () => (await unsealed()) === 0, 15_000, 200);
    await expect(asRuntime.query('SELECT auth_audit_prune(29)')).rejects.toMatchObject({ code: '23514' });
    const { queue, close } = jobsQueue(process.env['SIGNOFF_TEST_REDIS_URL']!, scope.redisPrefix);
    try {
      const finished = await finishedJob(queue, 'prune-audit-events');
      expect(finished.failedReason).toBeFalsy();
      expect(finished.returnvalue).toEqual({ deleted: OLD_EVENTS });
    } finally {
      await close();
    }
    expect(await db.query(`SELECT 1 FROM auth_audit_events WHERE at < now() - interval '400 days'`)).toEqual([]);
    expect(await db.query(`SELECT 1 FROM auth_audit_events WHERE type = 'audit_pruned'`)).toHaveLength(1);
    await waitFor('every audit event to be sealed', async () => (await unsealed()) === 0, 15_000, 200);
    const verified = await runAuditVerify(runtimeUrl);
    expect(verified.code).toBe(0);
    expect(verified.report).toMatchObject({ ok: true, checkpoint: { position: String(OLD_EVENTS) } });
  });

  it('should let the runtime role run the prune of ended sessions through its job: sessions, refresh tokens and relayed outbox entries', async () => {
    const account = await registerAccount(api.url, 'retention');
    const cookie = await signIn(api.url, account);
    expect((await cookie.browser.post('/api/auth/logout')).status).toBe(200);
    const { access_token: accessToken } = await bearerSignIn(api.url, account);
    expect((await fetch(`${api.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    // Everything ended so far (this test's two sessions and the earlier tests') ended 100 days ago; relayed jobs 8 days ago.
    const ended = await asOwner.query(`UPDATE auth_sessions SET ended_at = ended_at - interval '100 days' WHERE ended_at IS NOT NULL RETURNING id`);
    expect(ended.rowCount).toBeGreaterThanOrEqual(2);
    const tokens = await asOwner.query('SELECT count(*)::int AS n FROM auth_refresh_tokens WHERE session_id = ANY($1::uuid[])', [
      ended.rows.map((row: { id: string }) => row.id),
    ]);
    const relayed = await asOwner.query(`UPDATE auth_outbox SET relayed_at = relayed_at - interval '8 days' WHERE relayed_at IS NOT NULL`);
    const { queue, close } = jobsQueue(process.env['SIGNOFF_TEST_REDIS_URL']!, scope.redisPrefix);
    try {
      const finished = await finishedJob(queue, 'prune-ended-sessions');
      expect(finished.failedReason).toBeFalsy();
      expect(finished.returnvalue).toEqual({
        sessions: ended.rowCount,
        refreshTokens: (tokens.rows[0] as { n: number }).n,
        outboxEntries: relayed.rowCount,
        continued: false,
      });
    } finally {
      await close();
    }
    expect(await db.query('SELECT 1 FROM auth_sessions WHERE ended_at IS NOT NULL')).toEqual([]);
    expect(await db.query('SELECT 1 FROM auth_outbox WHERE relayed_at IS NOT NULL')).toEqual([]);
  });

  async function counts() {
    const rows = await db.query<{ events: string; seals: string; checkpoints: string }>(
      'SELECT (SELECT count(*) FROM auth_audit_events) AS events, (SELECT count(*) FROM auth_audit_seals) AS seals, (SELECT count(*) FROM auth_audit_checkpoints) AS checkpoints',
    );
    return rows[0];
  }

  async function unsealed(): Promise<number> {
    const rows = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM auth_audit_events e WHERE NOT EXISTS (SELECT 1 FROM auth_audit_seals s WHERE s.seq = e.seq)',
    );
    return Number(rows[0].n);
  }
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'signoff-test' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** `npm run <script> [-- args]` with the given environment; resolves with the exit code and everything printed. */
function run(script: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const { NODE_OPTIONS: _jestNodeOptions, DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn('npm', ['run', '--silent', script, ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: repoRoot,
    env: { ...inherited, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}
