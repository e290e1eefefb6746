// Admin users list at scale: 100k users, ~1M sessions (Zipf-like, one heavy user with 1k active and
// 10k ended sessions). Measures, on this machine and in this run:
//   P1    PK lookup of one session (the baseline of perf-notes.md §5)
//   AGG   the users list's aggregate over auth_sessions for one page of 20 users (typical and heavy page)
//   HTTP  GET /api/admin/users (the host's search + the aggregate), against the built app
// and checks the aggregate's plan: no sequential scan on auth_sessions, buffers touched per page.
//
//   npm run build && node bench/admin-users.bench.ts          (Node 24 runs the TypeScript as is)
//   DATABASE_URL=postgres://… REDIS_URL=redis://… node bench/admin-users.bench.ts
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
// The library's own statement, through its public test kit (the built package, as a host would import it).
import { adminStatementsForTest } from '@signoff/auth-sessions/testing';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 1_000_000);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 2_000);
const HTTP_ITERATIONS = Number(process.env['BENCH_HTTP_ITERATIONS'] ?? 300);
// Goals, as ratios to P1 p99 measured in the same run: a page is 20 users, two index arms each.
const GOAL_TYPICAL_PAGE = 20;
const GOAL_HEAVY_PAGE = 100;

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = `${root}dist/apps/api/src/main.js`;
if (!existsSync(entry)) {
  console.error('Build first: npm run build');
  process.exit(1);
}

const server = new URL(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
const databaseName = `signoff_bench_admin_${run}`;
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

async function timed(iterations: number, work: (i: number) => Promise<unknown>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await work(i);
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
      REDIS_PREFIX: `signoff-bench-admin-${run}`,
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

async function seed(pool: pg.Pool): Promise<string> {
  await pool.query('CREATE TABLE bench_users (n int PRIMARY KEY, id uuid NOT NULL)');
  await pool.query(
    `WITH inserted AS (
       INSERT INTO users (id, email, password_hash, roles, created_at, updated_at)
       SELECT gen_random_uuid(), 'bench-' || lpad(g::text, 6, '0') || '@example.com', 'x', '{}', now(), now()
         FROM generate_series(1, $1::int) g
       RETURNING id, email)
     INSERT INTO bench_users (n, id) SELECT substring(email from 7 for 6)::int, id FROM inserted`,
    [USERS],
  );
  const heavy = (await pool.query<{ id: string }>('SELECT id FROM bench_users WHERE n = 1')).rows[0].id;
  // Zipf-like: user n is drawn with density ~ 1/sqrt(n). A quarter active, a tenth open but idle-expired, the rest ended.
  await pool.query(
    `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, ip, created_at, last_active_at, idle_seconds,
                                absolute_expires_at, fresh_at, ended_at, end_reason)
     SELECT gen_random_uuid(), u.id, 'cookie', decode(md5(random()::text) || md5(random()::text), 'hex'), 'Bench/1.0', '10.0.0.1',
            now() - interval '2 days',
            CASE WHEN r.kind < 0.35 THEN now() - make_interval(mins => (r.kind * 60)::int) ELSE now() - interval '3 hours' END,
            1800, now() + interval '1 day', now() - interval '2 days',
            CASE WHEN r.kind >= 0.35 THEN now() - interval '1 hour' END,
            CASE WHEN r.kind >= 0.35 THEN 'logout' END
       -- random() in the select list of the series: one draw per row (an uncorrelated LATERAL runs once).
       FROM (SELECT 1 + floor($2::int * power(random(), 2))::int AS n, random() AS kind FROM generate_series(1, $1::int)) r
       JOIN bench_users u ON u.n = r.n`,
    [SESSIONS - 11_000, USERS],
  );
  await pool.query(
    `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, ip, created_at, last_active_at, idle_seconds,
                                absolute_expires_at, fresh_at, ended_at, end_reason)
     SELECT gen_random_uuid(), $1, 'cookie', decode(md5(random()::text) || md5(random()::text), 'hex'), 'Heavy/1.0', '10.0.0.2',
            now() - interval '2 days', now() - interval '1 minute', 86400, now() + interval '1 day', now() - interval '2 days',
            CASE WHEN g > 1000 THEN now() - interval '1 hour' END, CASE WHEN g > 1000 THEN 'logout' END
       FROM generate_series(1, 11000) g`,
    [heavy],
  );
  await pool.query('VACUUM ANALYZE auth_sessions');
  await pool.query('VACUUM ANALYZE users');
  return heavy;
}

function planNodes(plan: unknown): Array<Record<string, unknown>> {
  const nodes: Array<Record<string, unknown>> = [];
  const visit = (node: Record<string, unknown>): void => {
    nodes.push(node);
    for (const child of (node['Plans'] as Array<Record<string, unknown>> | undefined) ?? []) visit(child);
  };
  for (const root of plan as Array<{ Plan: Record<string, unknown> }>) visit(root.Plan);
  return nodes;
}

async function main(): Promise<void> {
  const adminPool = new pg.Pool({ connectionString: Object.assign(new URL(server), { pathname: '/postgres' }).toString(), max: 1 });
  await adminPool.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    console.error(`database ${databaseName}: starting the app (migrations, admin)…`);
    const url = await startApp();
    console.error(`seeding ${USERS} users and ${SESSIONS} sessions…`);
    const seedStarted = performance.now();
    await seed(pool);
    console.error(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const sessionIds = (await pool.query<{ id: string }>('SELECT id FROM auth_sessions TABLESAMPLE SYSTEM (1) LIMIT 5000')).rows.map((row) => row.id);
    const client = await pool.connect();
    const pageOf = async (firstN: number) =>
      (await client.query<{ id: string }>('SELECT id FROM bench_users WHERE n BETWEEN $1 AND $1 + 19 ORDER BY n', [firstN])).rows.map((row) => row.id);
    const pages: string[][] = [];
    for (let i = 0; i < 200; i++) pages.push(await pageOf(1 + Math.floor(Math.random() * (USERS - 20))));
    const heavyPage = await pageOf(1);
    const statsSql = adminStatementsForTest().userPageSessions;

    // Warm-up, then the phases.
    for (let i = 0; i < 200; i++)
      await client.query({ name: 'p1', text: 'SELECT * FROM auth_sessions WHERE id = $1', values: [sessionIds[i % sessionIds.length]] });
    const p1 = await timed(ITERATIONS, (i) =>
      client.query({ name: 'p1', text: 'SELECT * FROM auth_sessions WHERE id = $1', values: [sessionIds[i % sessionIds.length]] }),
    );
    const typical = await timed(ITERATIONS, (i) => client.query({ name: 'agg', text: statsSql, values: [pages[i % pages.length], new Date()] }));
    const heavy = await timed(Math.min(ITERATIONS, 500), () => client.query({ name: 'agg', text: statsSql, values: [heavyPage, new Date()] }));
    const explain = async (ids: string[]) => {
      const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statsSql}`, [ids, new Date()]);
      const nodes = planNodes(rows[0]['QUERY PLAN']);
      const top = nodes[0];
      return {
        seqScanOnSessions: nodes.some((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'auth_sessions'),
        indexes: [...new Set(nodes.map((node) => node['Index Name']).filter(Boolean))],
        buffers: Number(top['Shared Hit Blocks'] ?? 0) + Number(top['Shared Read Blocks'] ?? 0),
      };
    };
    const typicalPlan = await explain(pages[0]);
    const heavyPlan = await explain(heavyPage);
    client.release();

    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const get = async (path: string) => {
      const response = await fetch(`${url}${path}`, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      await response.arrayBuffer();
    };
    for (let i = 0; i < 30; i++) await get('/api/admin/users?pageSize=20');
    const httpPages = await timed(HTTP_ITERATIONS, () => get(`/api/admin/users?pageSize=20&page=${1 + Math.floor(Math.random() * (USERS / 20))}`));
    const httpSearch = await timed(HTTP_ITERATIONS, () =>
      get(`/api/admin/users?pageSize=20&search=bench-0${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`),
    );

    const ratio = (value: number) => (value / p1.p99).toFixed(1);
    const rows = [
      ['P1 session PK lookup', p1, '1.0', ''],
      [
        'AGG typical page (20 users)',
        typical,
        ratio(typical.p99),
        `≤ ${GOAL_TYPICAL_PAGE}× P1: ${typical.p99 <= GOAL_TYPICAL_PAGE * p1.p99 ? 'pass' : 'FAIL'}`,
      ],
      [
        'AGG page with the heavy user (11k+ sessions)',
        heavy,
        ratio(heavy.p99),
        `≤ ${GOAL_HEAVY_PAGE}× P1: ${heavy.p99 <= GOAL_HEAVY_PAGE * p1.p99 ? 'pass' : 'FAIL'}`,
      ],
      ['HTTP GET /api/admin/users (random page)', httpPages, ratio(httpPages.p99), 'host search + aggregate, over HTTP'],
      ['HTTP GET /api/admin/users?search=', httpSearch, ratio(httpSearch.p99), 'host search: lower(email) LIKE on 100k users'],
    ] as const;
    console.log(`\n| measure | n | p50 ms | p99 ms | p99 / P1 p99 | goal |\n| --- | --- | --- | --- | --- | --- |`);
    for (const [label, result, r, goal] of rows)
      console.log(`| ${label} | ${result.n} | ${result.p50.toFixed(3)} | ${result.p99.toFixed(3)} | ${r} | ${goal} |`);
    console.log(`\nplan, typical page: ${JSON.stringify(typicalPlan)}`);
    console.log(`plan, heavy page:   ${JSON.stringify(heavyPlan)}`);
    if (typicalPlan.seqScanOnSessions || heavyPlan.seqScanOnSessions) {
      console.log('FAIL: a sequential scan on auth_sessions');
      process.exitCode = 1;
    }
  } finally {
    app?.kill('SIGTERM');
    await pool.end();
    await sleep(500);
    await adminPool.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`);
    await adminPool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  app?.kill('SIGKILL');
  process.exit(1);
});
