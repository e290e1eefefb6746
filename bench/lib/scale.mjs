// Scale: a sessions table of 1M rows; P1 (a primary-key SELECT on it); B4 (own-device list);
// B3 (logout everywhere for a user with 10 / 1k / 100k sessions); B5 (audit write in the revoke
// transaction). B4 and B5 time the statements SessionRepository and AuditLogService send (copied
// here: keep them in step); B3 goes through the API.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { sleep, stats, timeLoop } from './common.mjs';
import { login, me, post, register, startDemo } from './demo.mjs';

// activePredicate for one user's rows (the user is $2 in the count below, $5 in REVOKE): the epoch is read once.
const activeFor = (user) => `s.ended_at IS NULL
    AND s.epoch >= COALESCE((SELECT st.epoch FROM auth_user_session_state st WHERE st.user_id = ${user}), 0)
    AND s.absolute_expires_at > $1
    AND s.last_active_at + s.idle_seconds * interval '1 second' > $1`;

// SessionRepository.listForUser, as TypeORM sends it (the columns of Session), and its epoch read.
const LIST_ACTIVE = `SELECT s.* FROM auth_sessions s WHERE s.user_id = $1 AND s.ended_at IS NULL
    AND s.epoch >= COALESCE((SELECT st.epoch FROM auth_user_session_state st WHERE st.user_id = $1), 0)
  ORDER BY s.last_active_at DESC LIMIT 1000`;
const LIST_WITH_ENDED = `SELECT s.* FROM auth_sessions s WHERE s.user_id = $1 AND (s.ended_at IS NULL OR s.ended_at >= $2) ORDER BY s.last_active_at DESC LIMIT 1000`;
const USER_EPOCH = `SELECT * FROM auth_user_session_state WHERE user_id = $1 LIMIT 1`;

// SessionRepository.revoke (one id), without and with the per-session audit insert that
// AuditEventRepository.insertForEachSql adds to the same statement (a logout: one `logout` event).
const revokeSql = (audit) => `WITH ended AS (
         UPDATE auth_sessions s
            SET ended_at = $1, end_reason = $2, ended_by_id = $3, ended_by_email = $4
          WHERE s.user_id = $5 AND s.id = ANY($6::uuid[]) AND ${activeFor('$5')}
          RETURNING s.id, s.user_id),
       revoked_refresh_tokens AS (
         UPDATE auth_refresh_tokens r SET revoked_at = $1
           FROM ended WHERE r.session_id = ended.id AND r.revoked_at IS NULL)${
             audit
               ? `,
       also_written AS (INSERT INTO auth_audit_events
              (id, type, at, actor_id, actor_email, user_id, session_id, ip, user_agent, reason, note, metadata, request_id)
            SELECT gen_random_uuid(), $7::varchar, $8::timestamptz, $9::uuid,
                   $10::varchar, ended.user_id, ended.id, $11::varchar,
                   $12::text, $13::varchar, $14::text,
                   $15::jsonb, $16::varchar
              FROM ended)`
               : ''
           }
       SELECT id::text AS id, user_id::text AS user_id FROM ended`;
const REVOKE = revokeSql(false);
const REVOKE_WITH_AUDIT = revokeSql(true);
const auditValues = (at, actorId) => ['logout', at, actorId, 'bench@example.com', '127.0.0.1', 'Bench/1.0', 'logout', null, '{}', 'bench-request'];
// The audit row as its own statement (AuditLogService.record; how logout wrote it until 2026-12-03).
const AUDIT = `INSERT INTO auth_audit_events (id, type, at, actor_id, actor_email, user_id, session_id, ip, user_agent, reason, note, metadata, request_id)
       VALUES ($1, 'logout', $2, $3, $4, $3, $5, '127.0.0.1', 'Bench/1.0', 'logout', NULL, '{}', NULL) RETURNING seq`;

// CredentialsService's epoch bump (what logout everywhere could do in O(1)): bump, audit, outbox.
const BUMP_EPOCH = `INSERT INTO auth_user_session_state (user_id, epoch, epoch_reason, updated_at) VALUES ($1, 1, 'logout_everywhere', $2)
       ON CONFLICT (user_id) DO UPDATE
         SET epoch = auth_user_session_state.epoch + 1, epoch_reason = EXCLUDED.epoch_reason, updated_at = EXCLUDED.updated_at
       RETURNING epoch`;

const SESSION_COLUMNS = `id, user_id, kind, token_hash, user_agent, ip, created_at, last_active_at, idle_seconds, absolute_expires_at, fresh_at, ended_at, end_reason`;

function tokenPair() {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: createHash('sha256').update(token).digest() };
}

/** Inserts `count` active sessions of one user with random token hashes, plus sessions with known tokens. */
async function seedUserSessions(db, userId, count, known = []) {
  if (count > 0) {
    await db.query(
      `INSERT INTO auth_sessions (${SESSION_COLUMNS})
       SELECT gen_random_uuid(), $1, 'cookie', decode(md5(random()::text) || md5(random()::text), 'hex'), 'Bench/1.0', '10.0.0.3',
              now() - interval '1 hour', now() - interval '1 minute', 86400, now() + interval '1 day', now() - interval '1 hour', NULL, NULL
         FROM generate_series(1, $2::int)`,
      [userId, count],
    );
  }
  if (known.length > 0) {
    await db.query(
      `INSERT INTO auth_sessions (${SESSION_COLUMNS})
       SELECT gen_random_uuid(), $1, 'cookie', h, 'Bench/1.0', '10.0.0.3',
              now() - interval '1 hour', now() - interval '1 minute', 86400, now() + interval '1 day', now() - interval '1 hour', NULL, NULL
         FROM unnest($2::bytea[]) h`,
      [userId, known.map((pair) => pair.hash)],
    );
  }
}

/** Waits until the user's open sessions are all marked ended (the epoch clean-up job); the ms waited. */
async function waitForCleanup(db, userId, timeoutMs = 120_000) {
  if (!userId) return 0;
  const started = performance.now();
  for (;;) {
    const open = Number((await db.query('SELECT count(*) AS n FROM auth_sessions WHERE user_id = $1 AND ended_at IS NULL', [userId])).rows[0].n);
    if (open === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`B3: ${open} sessions still open ${timeoutMs} ms after logout-all`);
    await sleep(100);
  }
}

async function seedTable(db, sessions, log) {
  const users = Math.max(1000, Math.round(sessions / 10));
  const started = performance.now();
  await db.query('CREATE TABLE bench_users (n int PRIMARY KEY, id uuid NOT NULL)');
  await db.query(
    `WITH inserted AS (
       INSERT INTO users (id, email, password_hash, roles, created_at, updated_at)
       SELECT gen_random_uuid(), 'seed-' || lpad(g::text, 7, '0') || '@example.com', 'x', '{}', now(), now()
         FROM generate_series(1, $1::int) g
       RETURNING id, email)
     INSERT INTO bench_users (n, id) SELECT substring(email from 6 for 7)::int, id FROM inserted`,
    [users],
  );
  const heavy = (await db.query('SELECT id FROM bench_users WHERE n = 1')).rows[0].id;
  // Zipf-like: user n drawn with density ~ 1/sqrt(n). A third active, the rest ended an hour ago.
  await db.query(
    `INSERT INTO auth_sessions (${SESSION_COLUMNS})
     SELECT gen_random_uuid(), u.id, 'cookie', decode(md5(random()::text) || md5(random()::text), 'hex'), 'Bench/1.0', '10.0.0.1',
            now() - interval '2 days',
            CASE WHEN r.kind < 0.35 THEN now() - make_interval(mins => (r.kind * 60)::int) ELSE now() - interval '3 hours' END,
            86400, now() + interval '1 day', now() - interval '2 days',
            CASE WHEN r.kind >= 0.35 THEN now() - interval '1 hour' END,
            CASE WHEN r.kind >= 0.35 THEN 'logout' END
       -- random() in the select list of the series: one draw per row (an uncorrelated LATERAL runs once).
       FROM (SELECT 2 + floor(($2::int - 1) * power(random(), 2))::int AS n, random() AS kind FROM generate_series(1, $1::int)) r
       JOIN bench_users u ON u.n = r.n`,
    [Math.max(0, sessions - 11_000), users],
  );
  // The heavy user: 1k active sessions and 10k ended ones.
  await db.query(
    `INSERT INTO auth_sessions (${SESSION_COLUMNS})
     SELECT gen_random_uuid(), $1, 'cookie', decode(md5(random()::text) || md5(random()::text), 'hex'), 'Heavy/1.0', '10.0.0.2',
            now() - interval '2 days', now() - make_interval(secs => g), 86400, now() + interval '1 day', now() - interval '2 days',
            CASE WHEN g > 1000 THEN now() - interval '1 hour' END, CASE WHEN g > 1000 THEN 'logout' END
       FROM generate_series(1, 11000) g`,
    [heavy],
  );
  await db.query('VACUUM ANALYZE auth_sessions');
  await db.query('VACUUM ANALYZE users');
  const rows = Number((await db.query('SELECT count(*) AS n FROM auth_sessions')).rows[0].n);
  log(`scale: seeded ${rows} sessions over ${users} users in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { heavy, users, rows, seedSeconds: (performance.now() - started) / 1000 };
}

function planSummary(plan) {
  const nodes = [];
  const visit = (node) => {
    nodes.push(node);
    for (const child of node.Plans ?? []) visit(child);
  };
  for (const root of plan) visit(root.Plan);
  return {
    seqScan: nodes.some((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'auth_sessions'),
    nodes: [...new Set(nodes.map((node) => node['Node Type']))],
    indexes: [...new Set(nodes.map((node) => node['Index Name']).filter(Boolean))],
    buffers: Number(nodes[0]['Shared Hit Blocks'] ?? 0) + Number(nodes[0]['Shared Read Blocks'] ?? 0),
    executionMs: plan[0]['Execution Time'],
  };
}

export async function runScale(context) {
  const { log, tableSessions, b3Sizes, quick } = context;
  const [a, b] = await Promise.all([startDemo(context, { workers: true }), startDemo(context, { workers: false })]);
  const db = new pg.Client({ connectionString: context.demoDatabaseUrl });
  await db.connect();
  try {
    const seeded = await seedTable(db, tableSessions, log);
    const ids = (await db.query('SELECT id FROM auth_sessions TABLESAMPLE SYSTEM (1) LIMIT 5000')).rows.map((row) => row.id);
    const iterations = quick ? 1000 : 3000;
    const P1 = await timeLoop(iterations, (i) => db.query({ name: 'p1', text: 'SELECT * FROM auth_sessions WHERE id = $1', values: [ids[i % ids.length]] }));
    log(`scale: P1 p50 ${P1.p50.toFixed(0)} µs p99 ${P1.p99.toFixed(0)} µs`);

    // B4: own-device list.
    const typicalUsers = (
      await db.query(
        `SELECT u.id FROM bench_users u WHERE u.n BETWEEN 1000 AND $1 AND EXISTS (SELECT 1 FROM auth_sessions s WHERE s.user_id = u.id AND s.ended_at IS NULL) LIMIT 500`,
        [seeded.users],
      )
    ).rows.map((row) => row.id);
    const now = new Date();
    const thirtyDaysAgo = new Date(Date.now() - 30 * 86_400_000);
    const listOf = async (userId) => {
      await db.query({ name: 'b4', text: LIST_ACTIVE, values: [userId] });
      await db.query({ name: 'b4e', text: USER_EPOCH, values: [userId] });
    };
    const b4 = {
      typical: await timeLoop(iterations, (i) => db.query({ name: 'b4', text: LIST_ACTIVE, values: [typicalUsers[i % typicalUsers.length]] })),
      typicalWithEpoch: await timeLoop(iterations, (i) => listOf(typicalUsers[i % typicalUsers.length])),
      typicalWithEnded: await timeLoop(iterations, (i) =>
        db.query({ name: 'b4x', text: LIST_WITH_ENDED, values: [typicalUsers[i % typicalUsers.length], thirtyDaysAgo] }),
      ),
      heavy: await timeLoop(quick ? 100 : 300, () => db.query({ name: 'b4', text: LIST_ACTIVE, values: [seeded.heavy] })),
      plans: {},
    };
    for (const [name, text, values] of [
      ['typical', LIST_ACTIVE, [typicalUsers[0]]],
      ['typicalWithEnded', LIST_WITH_ENDED, [typicalUsers[0], thirtyDaysAgo]],
      ['heavy', LIST_ACTIVE, [seeded.heavy]],
      ['heavyWithEnded', LIST_WITH_ENDED, [seeded.heavy, thirtyDaysAgo]],
    ]) {
      b4.plans[name] = planSummary((await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, values)).rows[0]['QUERY PLAN']);
    }
    log(`B4: typical p99 ${b4.typical.p99.toFixed(0)} µs (${(b4.typical.p99 / P1.p99).toFixed(2)}x P1), plan ${JSON.stringify(b4.plans.typical)}`);

    // B4 over HTTP (informational): a signed-in user with 5 sessions lists them.
    const listerEmail = 'bench-b4@example.com';
    await register(a, listerEmail);
    const lister = await login(a, listerEmail);
    await seedUserSessions(db, lister.userId, 4);
    const b4Http = await timeLoop(quick ? 100 : 500, async () => {
      const response = await fetch(`${a.url}/api/auth/sessions`, { headers: lister.read });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET /api/auth/sessions answered ${response.status}`);
    });

    // B5: the revoke with and without its audit row (interleaved, one session each). A logout is one
    // statement that ends the row and writes its event (SessionRevoker.revoke with per-session audit
    // only); the revoke alone is the same statement without the insert. A third variant is the
    // design before 2026-12-03: a transaction with the revoke and the insert as two statements.
    // It runs before B3, whose clean-up jobs mark up to 100k rows in batches after each trial. The
    // statements go unnamed, as TypeORM sends them (planned at each run). As named statements
    // (prepared once: PostgreSQL may move to a generic plan after five runs), the revoke writing its
    // audit row read 1.73-1.83x the revoke alone in three runs on a 1M-row table; unnamed 1.21-1.24x.
    const b5User = randomUUID();
    const trials = quick ? 200 : 1000;
    await seedUserSessions(db, b5User, 0, Array.from({ length: 3 * trials }, tokenPair));
    const b5Ids = (await db.query(`SELECT id FROM auth_sessions WHERE user_id = $1`, [b5User])).rows.map((row) => row.id);
    const without = [];
    const withAudit = [];
    const separate = [];
    for (let i = 0; i < 3 * trials; i++) {
      const variant = ['alone', 'audit', 'separate'][i % 3];
      const id = b5Ids[i];
      const at = new Date();
      const revokeValues = [at, 'logout', b5User, 'bench@example.com', b5User, [id]];
      const started = performance.now();
      let ended;
      if (variant === 'alone') ended = await db.query(REVOKE, revokeValues);
      if (variant === 'audit') ended = await db.query(REVOKE_WITH_AUDIT, [...revokeValues, ...auditValues(at, b5User)]);
      if (variant === 'separate') {
        await db.query('BEGIN');
        ended = await db.query(REVOKE, revokeValues);
        await db.query(AUDIT, [randomUUID(), at, b5User, 'bench@example.com', id]);
        await db.query('COMMIT');
      }
      ({ alone: without, audit: withAudit, separate })[variant].push((performance.now() - started) * 1000);
      if (ended.rowCount !== 1) throw new Error('B5: the revoke ended no session');
    }
    const written = Number((await db.query(`SELECT count(*) AS n FROM auth_audit_events WHERE user_id = $1`, [b5User])).rows[0].n);
    if (written !== 2 * trials) throw new Error(`B5: ${written} audit rows written, expected ${2 * trials}`);
    const b5 = { trials, without: stats(without), withAudit: stats(withAudit), separateStatements: stats(separate) };
    log(
      `B5: revoke p50 ${b5.without.p50.toFixed(0)} µs, with audit ${b5.withAudit.p50.toFixed(0)} µs, as two statements ${b5.separateStatements.p50.toFixed(0)} µs`,
    );

    // B3: logout everywhere for a user with n sessions, through the API, with two instances.
    const b3 = [];
    let previousUser = null;
    const cleanupWaits = [];
    for (const n of b3Sizes) {
      const repetitions = n >= 1000 ? 3 : 5;
      const acks = [];
      let sampled = 0;
      let acceptedAfterAck = 0;
      let epochBump = null;
      let count = null;
      for (let rep = 0; rep < repetitions; rep++) {
        const email = `bench-b3-${n}-${rep}@example.com`;
        // The previous trial's clean-up job (marking its user's sessions ended) must not overlap this one.
        cleanupWaits.push(await waitForCleanup(db, previousUser));
        await register(a, email);
        const caller = await login(a, email);
        previousUser = caller.userId;
        const known = Array.from({ length: Math.min(100, n - 1) }, tokenPair);
        await seedUserSessions(db, caller.userId, n - 1 - known.length, known);
        // A user does not open 100k sessions in one second: by the time they log out everywhere, their
        // rows have long been vacuumed (hint bits set, pages all-visible). Settle them the same way.
        if (n >= 10_000) await db.query('VACUUM (ANALYZE) auth_sessions');
        if (rep === 0) {
          // The alternative: an epoch bump (rolled back here) ends every session in one statement; the exact count the answer carries is a separate read.
          epochBump = await timeLoop(quick ? 50 : 200, async () => {
            await db.query('BEGIN');
            await db.query({ name: 'bump', text: BUMP_EPOCH, values: [caller.userId, new Date()] });
            await db.query({ name: 'audit', text: AUDIT, values: [randomUUID(), new Date(), caller.userId, 'bench@example.com', caller.sessionId] });
            await db.query('ROLLBACK');
          });
          // As SessionRepository.countActiveForUser runs it: serial, no plain index scan (SET LOCAL in the revoke transaction).
          await db.query('SET max_parallel_workers_per_gather = 0; SET enable_indexscan = off');
          count = await timeLoop(
            quick ? 10 : 30,
            () => db.query(`SELECT count(*) FROM auth_sessions s WHERE s.user_id = $2 AND ${activeFor('$2')}`, [new Date(), caller.userId]),
            2,
          );
          await db.query('RESET max_parallel_workers_per_gather; RESET enable_indexscan');
        }
        for (const pair of known) await Promise.all([me(a, { cookie: `sid=${pair.token}` }), me(b, { cookie: `sid=${pair.token}` })]);
        const started = performance.now();
        const status = await post(a, '/api/auth/logout-all', caller.write);
        const acknowledgedAt = performance.now();
        if (status !== 200) throw new Error(`logout-all (${n}) answered ${status}`);
        acks.push((acknowledgedAt - started) * 1000);
        const statuses = await Promise.all(known.flatMap((pair) => [me(a, { cookie: `sid=${pair.token}` }), me(b, { cookie: `sid=${pair.token}` })]));
        sampled += statuses.length;
        acceptedAfterAck += statuses.filter((code) => code === 200).length;
      }
      const point = { sessions: n, repetitions, ack: stats(acks), sampled, acceptedAfterAck, epochBumpSql: epochBump, exactCountSql: count };
      log(`B3 ${n}: ack median ${(point.ack.p50 / 1000).toFixed(1)} ms, accepted after ack ${acceptedAfterAck}/${sampled}`);
      b3.push(point);
    }

    return {
      seeded: { users: seeded.users, rows: seeded.rows, seedSeconds: seeded.seedSeconds },
      P1,
      b4: { ...b4, http: b4Http },
      b3,
      b3CleanupWaitMs: Math.max(0, ...cleanupWaits),
      b5,
      now: now.toISOString(),
    };
  } finally {
    await db.end();
    await Promise.all([a.stop(), b.stop()]);
  }
}
