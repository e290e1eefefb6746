// B1: the same handler (GET /api/bench/me) behind each guard, one host process per variant, in
// one run. The host (bench/host) imports Signoff through its package entry only.
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import pg from 'pg';
import { cookieOf, hostEntry, postJson, processCpuSeconds, redisInfoField, sleep, startNode } from './common.mjs';
import { cannon } from './load-generator.mjs';

const BENCH_PASSWORD = 'benchmark password 1';

export const GUARD_VARIANTS = [
  { key: 'none', label: '(a) no guard', short: 'no guard' },
  { key: 'empty', label: '(a) with an empty global guard', short: 'empty guard' },
  { key: 'spin3', label: 'calibration: a global guard that burns 3 µs of CPU', short: 'guard burning 3 µs', calibration: 3 },
  { key: 'spin10', label: 'calibration: a global guard that burns 10 µs of CPU', short: 'guard burning 10 µs', calibration: 10 },
  { key: 'installed', label: '(a) in a host with Signoff installed, guard off (globalGuard: false)', short: 'Signoff installed, no guard' },
  { key: 'jwt', label: '(b) passport-jwt (stateless)', short: 'passport-jwt' },
  { key: 'cookie', label: '(c) Signoff cookie', short: 'Signoff cookie' },
  { key: 'bearer', label: '(d) Signoff bearer', short: 'Signoff bearer' },
  { key: 'store', label: '(e) express-session + connect-redis', short: 'express-session + Redis' },
  { key: 'cookieNoCache', label: 'Signoff cookie, instance cache off', short: 'Signoff cookie, no cache' },
];

export async function runGuards({
  hostDatabaseUrl,
  redisUrl,
  prefix,
  jwtSecret,
  b1Seconds: seconds,
  b1WarmupSeconds: warmupSeconds,
  b1Rounds: rounds,
  connections,
  pin,
  log,
}) {
  const serverCpu = pin ? 0 : undefined;
  const loadCpu = pin ? 1 : undefined;
  const env = (variant, extra = {}) => ({
    BENCH_VARIANT: variant,
    BENCH_JWT_SECRET: jwtSecret,
    DATABASE_URL: hostDatabaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `${prefix}-host`,
    NODE_ENV: 'production',
    ...extra,
  });
  const start = (name, variant, extra) => startNode(hostEntry, { env: env(variant, extra), readyPath: '/api/bench/me', cpu: serverCpu, name: `host ${name}` });
  log('B1: starting the comparison hosts');
  // Signoff first: its migrations must finish before the second Signoff host starts.
  const signoff = await start('signoff', 'signoff');
  const [none, empty, spin3, spin10, installed, jwt, store, noCache] = await Promise.all([
    start('none', 'none'),
    start('empty', 'empty'),
    start('spin3', 'empty', { BENCH_SPIN_NS: '3000' }),
    start('spin10', 'empty', { BENCH_SPIN_NS: '10000' }),
    start('signoff-installed', 'signoff', { BENCH_GLOBAL_GUARD: 'false' }),
    start('jwt', 'jwt'),
    start('store', 'store'),
    start('signoff-nocache', 'signoff', { BENCH_SESSION_CACHE: 'false' }),
  ]);
  try {
    const origin = { origin: signoff.url };
    const login = await postJson(`${signoff.url}/api/auth/login`, { email: 'bench-1@example.com', password: BENCH_PASSWORD }, origin);
    const sid = cookieOf(login.cookies, 'sid');
    const token = await postJson(`${signoff.url}/api/auth/token`, { email: 'bench-2@example.com', password: BENCH_PASSWORD });
    const noCacheLogin = await postJson(`${noCache.url}/api/auth/login`, { email: 'bench-3@example.com', password: BENCH_PASSWORD }, { origin: noCache.url });
    const storeLogin = await postJson(`${store.url}/api/bench/store-login`, { email: 'bench-4@example.com', password: BENCH_PASSWORD });
    const statelessJwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('00000000-0000-4000-8000-000000000005')
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(new TextEncoder().encode(jwtSecret));
    const targets = {
      none: { url: `${none.url}/api/bench/me`, headers: {} },
      empty: { url: `${empty.url}/api/bench/me`, headers: {} },
      spin3: { url: `${spin3.url}/api/bench/me`, headers: {} },
      spin10: { url: `${spin10.url}/api/bench/me`, headers: {} },
      installed: { url: `${installed.url}/api/bench/me`, headers: {} },
      jwt: { url: `${jwt.url}/api/bench/me`, headers: { authorization: `Bearer ${statelessJwt}` } },
      cookie: { url: `${signoff.url}/api/bench/me`, headers: { cookie: `sid=${sid}` } },
      bearer: { url: `${signoff.url}/api/bench/me`, headers: { authorization: `Bearer ${token.body.access_token}` } },
      store: { url: `${store.url}/api/bench/me`, headers: { cookie: `connect.sid=${cookieOf(storeLogin.cookies, 'connect.sid')}` } },
      cookieNoCache: { url: `${noCache.url}/api/bench/me`, headers: { cookie: `sid=${cookieOf(noCacheLogin.cookies, 'sid')}` } },
    };
    for (const [key, target] of Object.entries(targets)) {
      const response = await fetch(target.url, { headers: target.headers });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`B1 ${key}: the handler answered ${response.status} ${body}`);
    }

    const db = new pg.Client({ connectionString: hostDatabaseUrl });
    await db.connect();
    const updates = async () => Number((await db.query(`SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'auth_sessions'`)).rows[0]?.n_tup_upd ?? 0);
    const updatesBefore = await updates();

    // CPU per request: the host process's (from /proc) and the Redis server's (INFO cpu), over the
    // whole round, warm-up included, divided by the requests that reached the handler meanwhile.
    const redis = new Redis(redisUrl, { lazyConnect: true });
    await redis.connect();
    const redisCpuSeconds = async () => {
      const info = await redis.info('cpu');
      return redisInfoField(info, 'used_cpu_sys') + redisInfoField(info, 'used_cpu_user');
    };
    const hostOf = { none, empty, spin3, spin10, installed, jwt, cookie: signoff, bearer: signoff, store, cookieNoCache: noCache };

    const samples = Object.fromEntries(GUARD_VARIANTS.map((variant) => [variant.key, []]));
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so a drift of the machine's load does not favour one variant.
      const order = round % 2 === 0 ? GUARD_VARIANTS : [...GUARD_VARIANTS].reverse();
      for (const variant of order) {
        const target = targets[variant.key];
        const inSitu = `${new URL(target.url).origin}/bench-in-situ`;
        await (await fetch(`${inSitu}?reset=1`)).arrayBuffer();
        const cpuBefore = { host: processCpuSeconds(hostOf[variant.key].pid), redis: await redisCpuSeconds() };
        const result = await cannon({ ...target, connections, warmupSeconds, seconds, cpu: loadCpu });
        const cpuAfter = { host: processCpuSeconds(hostOf[variant.key].pid), redis: await redisCpuSeconds() };
        // In the host's process: the median time from a request's arrival to the handler (bench/host in-situ.ts).
        const handled = await (await fetch(inSitu)).json();
        result.inSituNs = handled.medianNs;
        result.hostCpuUs = ((cpuAfter.host - cpuBefore.host) * 1e6) / handled.count;
        result.redisCpuUs = ((cpuAfter.redis - cpuBefore.redis) * 1e6) / handled.count;
        log(
          `B1 round ${round + 1} ${variant.short}: ${result.rps.toFixed(0)} req/s, p99 ${(result.p99 / 1000).toFixed(1)} ms, arrival to handler ${(result.inSituNs / 1000).toFixed(1)} µs, CPU per request ${result.hostCpuUs.toFixed(1)} µs (+ Redis ${result.redisCpuUs.toFixed(1)} µs), non-2xx ${result.non2xx}, errors ${result.errors}`,
        );
        samples[variant.key].push(result);
      }
    }
    // The guards' own CPU per request, in the Signoff host's process (bench/host guard-cost.controller.ts):
    // the median of three loops of 200,000 requests each.
    const guardCpu = {};
    for (const key of ['cookie', 'bearer']) {
      const loops = [];
      for (let loop = 0; loop < 3; loop++) {
        const response = await fetch(`${signoff.url}/api/bench/guard-cost?n=200000`, { headers: targets[key].headers });
        const body = await response.json();
        if (response.status !== 200 || !body.synchronous) throw new Error(`B1 guard cost (${key}): ${response.status} ${JSON.stringify(body)}`);
        loops.push(body.nsPerRequest);
      }
      guardCpu[key] = median(loops);
    }
    log(`B1 guards' CPU per request: cookie ${(guardCpu.cookie / 1000).toFixed(2)} µs, bearer ${(guardCpu.bearer / 1000).toFixed(2)} µs`);
    await sleep(1500);
    const signoffRequests = ['cookie', 'bearer', 'cookieNoCache'].reduce((sum, key) => sum + samples[key].reduce((s, r) => s + r.requests, 0), 0);
    const writesPerRequest = ((await updates()) - updatesBefore) / signoffRequests;
    await db.end();
    redis.disconnect();

    // The median round of each variant: another tenant's burst on this machine only ever slows a
    // round down, so one disturbed round must not move the figure (the mean let it).
    const results = {};
    for (const variant of GUARD_VARIANTS) {
      const runs = samples[variant.key];
      results[variant.key] = {
        rps: median(runs.map((run) => run.rps)),
        p50: median(runs.map((run) => run.p50)),
        p99: median(runs.map((run) => run.p99)),
        rounds: runs.map((run) => run.rps),
        inSituNs: median(runs.map((run) => run.inSituNs)),
        hostCpuUs: median(runs.map((run) => run.hostCpuUs)),
        redisCpuUs: median(runs.map((run) => run.redisCpuUs)),
        non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
        errors: runs.reduce((sum, run) => sum + run.errors + run.timeouts, 0),
      };
    }
    return { variants: results, guardCpu, writesPerRequest, connections, seconds, warmupSeconds, rounds, pinned: pin };
  } finally {
    await Promise.all([signoff, none, empty, spin3, spin10, installed, jwt, store, noCache].map((host) => host.stop()));
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
