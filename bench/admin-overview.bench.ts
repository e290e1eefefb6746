// The admin overview at scale: 1M sessions over 60 days (about 15% open) and 10M audit events. Measures,
// on this machine and in this run:
//   SQL   each statement behind GET /api/admin/overview (adminStatementsForTest() of @signoff/auth-sessions/testing)
//   HTTP  GET /api/admin/overview against the built app (the statements in parallel, the users lookup, the
//         audit_read write, JSON); the 29 closed days are counted by the first call and reused (5 minutes)
// and checks every statement's plan: no sequential scan on auth_sessions or auth_audit_events, and the
// buffers each one touches (what keeps it fast: an index sized by what it counts, not by the history).
//
//   npm run build && npm run bench:overview          (Node 24 runs the TypeScript as is)
//   BENCH_SESSIONS=… BENCH_AUDIT_EVENTS=… DATABASE_URL=postgres://… REDIS_URL=redis://… npm run bench:overview
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
// The library's own statements, through its public test kit (the built package, as a host would import it).
import { adminStatementsForTest } from '@signoff/auth-sessions/testing';

const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 1_000_000);
const AUDIT_EVENTS = Number(process.env['BENCH_AUDIT_EVENTS'] ?? 10_000_000);
const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 50);
// What an admin landing page may cost at this scale, end to end on a 2-core machine.
const GOAL_HTTP_P99_MS = 500;
const CHUNK = 1_000_000;

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = `${root}dist/apps/api/src/main.js`;
if (!existsSync(entry)) {
  console.error('Build first: npm run build');
  process.exit(1);
}

const server = new URL(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
const databaseName = `signoff_bench_overview_${run}`;
const databaseUrl = Object.assign(new URL(server), { pathname: `/${databaseName}` }).toString();
const admin = { email: `bench-admin-${run}@example.com`, password: 'bench admin password' };
let app: ChildProcess | undefined;

interface Stats {
  n: number;
  p50: number;
  p99: number;
}

function stats(samplesMs: number[]): Stats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p99: at(0.99) };
}

async function timed(iterations: number, work: () => Promise<unknown>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return stats(samples);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startApp(): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  app = spawn(process.execPath, [entry], {
    cwd: root,
    env: {
      ...inherited,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `signoff-bench-overview-${run}`,
      PUBLIC_ORIGIN: url,
      AUTH_RATE_LIMIT: '0',
      LOG_LEVEL: 'error',
      NODE_ENV: 'test',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    },
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return url;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('the app did not become healthy within 60 s');
}

async function stopApp(): Promise<void> {
  if (!app) return;
  const exited = new Promise((resolve) => app!.once('exit', resolve));
  app.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  app = undefined;
}

/**
 * generate_series seeds, in chunks of a million rows. Sessions: created over the last 60 days, 15% still
 * open (half of those recent enough to be active), the rest ended within a day with a spread of reasons;
 * four device types and twelve places. Audit events: the type mix of a busy deployment; ids are ordered
 * (not random) so the primary key is appended to, which keeps the seed fast.
 */
async function seed(pool: pg.Pool): Promise<void> {
  for (let start = 0; start < SESSIONS; start += CHUNK) {
    const count = Math.min(CHUNK, SESSIONS - start);
    await pool.query(
      `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, browser, os, device_type, ip, location, created_at,
                                  last_active_at, idle_seconds, absolute_expires_at, fresh_at, ended_at, end_reason)
       SELECT gen_random_uuid(), md5('user' || (g % $3))::uuid, 'cookie', sha256(int4send(g)), 'Bench/1.0',
              (ARRAY['Chrome 156', 'Mobile Safari 18', 'Firefox 140', 'Edge 155'])[1 + g % 4],
              (ARRAY['Windows 11', 'iOS 18.5', 'Linux', 'Mac OS 10.15.7'])[1 + g % 4],
              (ARRAY['desktop', 'mobile', 'tablet', 'desktop', 'mobile'])[1 + g % 5], '198.51.100.1',
              CASE WHEN g % 17 = 0 THEN NULL ELSE 'Place ' || (g % 12) END,
              t.created, CASE WHEN t.open AND g % 2 = 0 THEN now() - make_interval(mins => (g % 20)::int) ELSE t.created + interval '10 minutes' END,
              1800, t.created + interval '30 days', t.created,
              CASE WHEN t.open THEN NULL ELSE least(now(), t.created + make_interval(mins => (5 + g % 1440)::int)) END,
              CASE WHEN t.open THEN NULL
                   ELSE (ARRAY['logout', 'expired_idle', 'expired_idle', 'expired_absolute', 'logout_everywhere', 'revoked_by_user',
                               'revoked_by_admin', 'password_change', 'replaced'])[1 + g % 9] END
         FROM generate_series($1::int + 1, $1::int + $2::int) g,
              LATERAL (SELECT CASE WHEN g % 100 < 15 THEN now() - make_interval(mins => ((g * 7) % 10080)::int)
                                   ELSE now() - make_interval(secs => ((g::bigint * 5189) % (60 * 86400))::double precision) END AS created,
                              g % 100 < 15 AS open) t`,
      [start, count, USERS],
    );
    console.error(`  sessions: ${start + count}`);
  }
  for (let start = 0; start < AUDIT_EVENTS; start += CHUNK) {
    const count = Math.min(CHUNK, AUDIT_EVENTS - start);
    await pool.query(
      `INSERT INTO auth_audit_events (id, type, at, actor_id, actor_email, user_id, session_id, ip, user_agent, reason, note, metadata)
       SELECT lpad(to_hex(g), 32, '0')::uuid, t.type, now() - make_interval(secs => (($4::bigint - g) * 0.5)::double precision),
              md5('user' || (g % $3))::uuid, 'someone@example.com', md5('user' || (g % $3))::uuid, NULL, '198.51.100.1', 'Bench/1.0',
              CASE t.type WHEN 'session_revoked' THEN (ARRAY['revoked_by_admin', 'revoked_by_user', 'replaced'])[1 + g % 3]
                          WHEN 'logout_everywhere' THEN 'logout_everywhere' WHEN 'logout' THEN 'logout' END,
              CASE WHEN t.type IN ('session_revoked', 'logout_everywhere') AND g % 5 = 0 THEN 'bench note' END,
              CASE WHEN t.type = 'logout_everywhere' THEN '{"count": 3}'::jsonb ELSE '{}'::jsonb END
         FROM generate_series($1::int + 1, $1::int + $2::int) g,
              LATERAL (SELECT CASE WHEN g % 100 < 45 THEN 'login' WHEN g % 100 < 75 THEN 'logout' WHEN g % 100 < 85 THEN 'session_expired'
                                   WHEN g % 100 < 88 THEN 'session_revoked' WHEN g % 100 < 89 THEN 'logout_everywhere'
                                   WHEN g % 100 < 96 THEN 'audit_read' ELSE 'admin_sessions_viewed' END AS type) t`,
      [start, count, USERS, AUDIT_EVENTS],
    );
    console.error(`  audit events: ${start + count}`);
  }
  // The seeded events are not chained: move the sealer past them, so the app measured does not spend its
  // CPU hashing ten million rows (audit:verify would report them; this database is thrown away).
  await pool.query(`UPDATE auth_audit_seal_state SET watermark_seq = (SELECT coalesce(max(seq), 0) FROM auth_audit_events) WHERE id = 1`);
  await pool.query('VACUUM ANALYZE auth_sessions');
  await pool.query('VACUUM ANALYZE auth_audit_events');
}

function planNodes(plan: unknown): Array<Record<string, unknown>> {
  const nodes: Array<Record<string, unknown>> = [];
  const visit = (node: Record<string, unknown>): void => {
    nodes.push(node);
    for (const child of (node['Plans'] as Array<Record<string, unknown>> | undefined) ?? []) visit(child);
  };
  for (const top of plan as Array<{ Plan: Record<string, unknown> }>) visit(top.Plan);
  return nodes;
}

async function main(): Promise<void> {
  const adminPool = new pg.Pool({ connectionString: Object.assign(new URL(server), { pathname: '/postgres' }).toString(), max: 1 });
  await adminPool.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    console.error(`database ${databaseName}: starting the app once (migrations, admin)…`);
    await startApp();
    await stopApp();
    console.error(`seeding ${SESSIONS} sessions and ${AUDIT_EVENTS} audit events…`);
    const seedStarted = performance.now();
    await seed(pool);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    console.error(`seeded in ${seedSeconds.toFixed(1)} s`);
    const sizes = (
      await pool.query<{ relation: string; size: string }>(
        `SELECT relname AS relation, pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class WHERE relname IN ('auth_sessions', 'auth_audit_events')`,
      )
    ).rows;
    const sql = adminStatementsForTest();
    const open = (await pool.query<{ open: number }>(sql.openSessions)).rows[0].open;

    const now = new Date();
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const from = new Date(today.getTime() - 29 * 86_400_000);
    const tomorrow = new Date(today.getTime() + 86_400_000);
    const statements: Array<[string, string, unknown[]]> = [
      ['active now, by device type and place', sql.activeByDeviceAndPlace, [now]],
      ['open sessions (count)', sql.openSessions, []],
      ['sign-ins today', sql.signInsByDay, [today, tomorrow]],
      ['sign-outs today, by reason', sql.signOutsByDay, [today, tomorrow]],
      ['sign-ins per day, 29 closed days (once per 5 min)', sql.signInsByDay, [from, today]],
      ['sign-outs per day and reason, 29 closed days (once per 5 min)', sql.signOutsByDay, [from, today]],
      ['latest 10 revocations', sql.recentRevocations, [10]],
    ];
    const client = await pool.connect();
    const rows: Array<{ label: string; result: Stats; plan: string }> = [];
    let seqScan = false;
    for (const [label, sql, values] of statements) {
      for (let i = 0; i < 3; i++) await client.query(sql, values);
      const result = await timed(ITERATIONS, () => client.query(sql, values));
      const explained = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, values);
      const nodes = planNodes(explained.rows[0]['QUERY PLAN']);
      const scanned = nodes.some((node) => node['Node Type'] === 'Seq Scan' && ['auth_sessions', 'auth_audit_events'].includes(String(node['Relation Name'])));
      seqScan ||= scanned;
      const indexes = [...new Set(nodes.map((node) => node['Index Name']).filter(Boolean))].join(', ');
      const buffers = Number(nodes[0]['Shared Hit Blocks'] ?? 0) + Number(nodes[0]['Shared Read Blocks'] ?? 0);
      rows.push({ label, result, plan: `${scanned ? 'SEQ SCAN, ' : ''}${indexes || 'no index'}; ${buffers} buffers` });
    }
    client.release();

    const url = await startApp();
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const get = async () => {
      const response = await fetch(`${url}/api/admin/overview`, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`/api/admin/overview: ${response.status}`);
      return response.json() as Promise<{ activeSessions: number; days: unknown[]; recentRevocations: unknown[] }>;
    };
    // The first call also counts the 29 closed days, which every later call in the next 5 minutes reuses.
    const firstStarted = performance.now();
    const sample = await get();
    const firstMs = performance.now() - firstStarted;
    for (let i = 0; i < 5; i++) await get();
    const http = await timed(ITERATIONS, get);

    console.log(
      `\n${SESSIONS} sessions (${open} open, ${sample.activeSessions} active), ${AUDIT_EVENTS} audit events; ${sizes.map((row) => `${row.relation} ${row.size}`).join(', ')}; seeded in ${seedSeconds.toFixed(0)} s\n`,
    );
    console.log('| measure | n | p50 ms | p99 ms | plan |\n| --- | --- | --- | --- | --- |');
    for (const row of rows) console.log(`| SQL ${row.label} | ${row.result.n} | ${row.result.p50.toFixed(1)} | ${row.result.p99.toFixed(1)} | ${row.plan} |`);
    console.log(`| HTTP GET /api/admin/overview, the first call (counts the closed days too) | 1 | ${firstMs.toFixed(1)} | | |`);
    console.log(
      `| HTTP GET /api/admin/overview | ${http.n} | ${http.p50.toFixed(1)} | ${http.p99.toFixed(1)} | goal p99 ≤ ${GOAL_HTTP_P99_MS} ms: ${http.p99 <= GOAL_HTTP_P99_MS ? 'pass' : 'FAIL'} |`,
    );
    if (seqScan) {
      console.log('FAIL: a sequential scan on auth_sessions or auth_audit_events');
      process.exitCode = 1;
    }
    if (http.p99 > GOAL_HTTP_P99_MS || sample.days.length !== 30 || sample.recentRevocations.length !== 10) process.exitCode = 1;
  } finally {
    await stopApp();
    await pool.end();
    await adminPool.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`);
    await adminPool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  app?.kill('SIGKILL');
  process.exit(1);
});
