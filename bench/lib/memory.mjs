// Memory: bytes per cached session (cookie: the session cache entry; bearer: the verified-token
// entry plus the session entry), on the V8 heap and off it (Buffers' memory), and the resident set
// with many active sessions, in a host
// process that runs with --expose-gc (GET /api/bench/heap collects, then reports).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { hostEntry, pool, startNode } from './common.mjs';

const METRICS_TOKEN = randomBytes(16).toString('hex');

const userIdOf = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function seed(db, kind, count) {
  const sessions = Array.from({ length: count }, (_, i) => {
    const token = randomBytes(32).toString('base64url');
    return { id: randomUUID(), userId: userIdOf(1 + (i % 20_000)), token, hash: createHash('sha256').update(token).digest() };
  });
  for (let start = 0; start < sessions.length; start += 10_000) {
    const batch = sessions.slice(start, start + 10_000);
    await db.query(
      `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, ip, created_at, last_active_at, idle_seconds, absolute_expires_at, fresh_at)
       SELECT id, user_id, $3, hash, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36', '10.0.0.4',
              now() - interval '1 minute', now() - interval '10 seconds', 3600, now() + interval '1 day', now()
         FROM unnest($1::uuid[], $2::uuid[], $4::bytea[]) AS t(id, user_id, hash)`,
      [batch.map((s) => s.id), batch.map((s) => s.userId), kind, batch.map((s) => s.hash)],
    );
  }
  return sessions;
}

/** Thrown when the host did not cache what it was sent: the figures would not be per cached session. */
class NotCachedError extends Error {}

export async function runMemory(context) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measureMemory(context, attempt);
    } catch (error) {
      if (!(error instanceof NotCachedError) || attempt === 2) throw error;
      context.log(`${error.message}; once more with a new host`);
    }
  }
}

async function measureMemory({ hostDatabaseUrl, redisUrl, prefix, jwtSecret, memorySessions, log }, attempt) {
  const host = await startNode(hostEntry, {
    name: 'host (memory)',
    args: ['--expose-gc'],
    readyPath: '/api/bench/heap',
    env: {
      BENCH_VARIANT: 'signoff',
      BENCH_JWT_SECRET: jwtSecret,
      DATABASE_URL: hostDatabaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `${prefix}-memory-${attempt}`,
      NODE_ENV: 'production',
      BENCH_METRICS_TOKEN: METRICS_TOKEN,
    },
  });
  const db = new pg.Client({ connectionString: hostDatabaseUrl });
  await db.connect();
  try {
    const half = Math.floor(memorySessions / 2);
    const cookies = await seed(db, 'cookie', half);
    const bearers = await seed(db, 'bearer', half);
    await db.query('VACUUM ANALYZE auth_sessions');
    const key = new TextEncoder().encode(jwtSecret);
    const accessTokens = await pool(bearers.length, 64, (i) =>
      new SignJWT({ sid: bearers[i].id, sv: 0 })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setSubject(bearers[i].userId)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('15m')
        .setIssuer(host.url)
        .setAudience(host.url)
        .sign(key),
    );
    // The heap (after a full collection) with the number of sessions the cache holds: a figure per
    // cached session means nothing if the instance was not caching (it stops while it distrusts
    // Redis or PostgreSQL, e.g. when a probe is late on a loaded machine).
    const heap = async () => {
      const usage = await (await fetch(`${host.url}/api/bench/heap`)).json();
      const metrics = await (await fetch(`${host.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      const gauge = (name) =>
        Number(
          metrics
            .split('\n')
            .find((line) => line.startsWith(`${name} `))
            ?.split(' ')[1],
        );
      return { ...usage, cached: gauge('signoff_session_cache_entries'), trusted: gauge('signoff_session_cache_trusted') };
    };
    const waitForTrust = async () => {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((done) => setTimeout(done, 200))) {
        if ((await heap()).trusted === 1) return;
      }
      throw new NotCachedError(`memory: the host never trusted its session cache (signoff_session_cache_trusted); its stderr: ${host.stderr().slice(-1000)}`);
    };
    // The session cache keeps only what was filled in the last CACHE_TRUST_MS (2 s), dropping older
    // entries as it fills: of a sample driven over several seconds it holds the last ones, and the heap
    // holds as many. A cache that never trusted itself holds none.
    const expectCached = (before, after, expected, what) => {
      const added = what === 'cookie' ? after.cached - before.cached : expected;
      if (!(added >= Math.min(expected * 0.99, 200))) {
        throw new NotCachedError(
          `memory: ${added} of ${expected} ${what} sessions were cached (trusted: ${after.trusted}); its stderr: ${host.stderr().slice(-1000)}`,
        );
      }
      return added;
    };
    let failures = 0;
    const hit = (headers) => async () => {
      const response = await fetch(`${host.url}/api/bench/me`, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) failures++;
    };
    const drive = (list, from, to, headersOf) => pool(to - from, 16, (i) => hit(headersOf(list[from + i]))());
    const sample = Math.min(10_000, half - 100);

    // Warm the process (code paths, pools) on other sessions first, so the deltas are the caches.
    await waitForTrust();
    await drive(cookies, half - 50, half, (s) => ({ cookie: `sid=${s.token}` }));
    await drive(accessTokens, half - 50, half, (t) => ({ authorization: `Bearer ${t}` }));
    const start = await heap();
    await drive(cookies, 0, sample, (s) => ({ cookie: `sid=${s.token}` }));
    const afterCookieSample = await heap();
    const cookiesCached = expectCached(start, afterCookieSample, sample, 'cookie');
    log(`memory: ${sample} cookie sessions cached`);
    await drive(accessTokens, 0, sample, (t) => ({ authorization: `Bearer ${t}` }));
    const afterBearerSample = await heap();
    const bearersCached = expectCached(afterCookieSample, afterBearerSample, sample, 'bearer');
    // A cookie session costs one session-cache entry. A bearer session costs its verified token (kept
    // until its exp) and a session-cache entry; meanwhile the cache dropped the cookie entries past
    // CACHE_TRUST_MS, so the bearer sample's delta is corrected by the entries the cache gained or lost.
    const perCookie = (field) => (afterCookieSample[field] - start[field]) / cookiesCached;
    const perBearer = (field) => {
      const entries = afterBearerSample.cached - afterCookieSample.cached;
      return (afterBearerSample[field] - afterCookieSample[field] - entries * perCookie(field)) / bearersCached + perCookie(field);
    };
    const started = performance.now();
    await drive(cookies, sample, half - 50, (s) => ({ cookie: `sid=${s.token}` }));
    await drive(accessTokens, sample, half - 50, (t) => ({ authorization: `Bearer ${t}` }));
    const seconds = (performance.now() - started) / 1000;
    const end = await heap();
    log(
      `memory: ${memorySessions} sessions driven in ${seconds.toFixed(0)} s, ${end.cached} cached, RSS ${(end.rss / 2 ** 20).toFixed(0)} MiB, ${failures} failures`,
    );
    return {
      sessions: memorySessions,
      attempt,
      sample,
      failures,
      bytesPerCookieSession: perCookie('heapUsed'),
      bytesPerBearerSession: perBearer('heapUsed'),
      // Off the V8 heap: Buffers' memory (a kept slice of Node's Buffer pool keeps the whole chunk).
      offHeapPerCookieSession: perCookie('arrayBuffers'),
      offHeapPerBearerSession: perBearer('arrayBuffers'),
      start,
      end,
      driveSeconds: seconds,
    };
  } finally {
    await db.end();
    await host.stop();
  }
}
