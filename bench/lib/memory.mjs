// Memory: bytes per cached session (cookie: the session cache entry; bearer: the verified-token
// entry plus the session entry), on the V8 heap and off it (Buffers' memory), and the resident set
// with many active sessions, in a host
// process that runs with --expose-gc (GET /api/bench/heap collects, then reports).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { hostEntry, pool, startNode } from './common.mjs';

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

export async function runMemory({ hostDatabaseUrl, redisUrl, prefix, jwtSecret, memorySessions, log }) {
  const host = await startNode(hostEntry, {
    name: 'host (memory)',
    args: ['--expose-gc'],
    readyPath: '/api/bench/heap',
    env: {
      BENCH_VARIANT: 'signoff',
      BENCH_JWT_SECRET: jwtSecret,
      DATABASE_URL: hostDatabaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `${prefix}-memory`,
      NODE_ENV: 'production',
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
    const heap = async () => {
      const response = await fetch(`${host.url}/api/bench/heap`);
      return response.json();
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
    await drive(cookies, half - 50, half, (s) => ({ cookie: `sid=${s.token}` }));
    await drive(accessTokens, half - 50, half, (t) => ({ authorization: `Bearer ${t}` }));
    const start = await heap();
    await drive(cookies, 0, sample, (s) => ({ cookie: `sid=${s.token}` }));
    const afterCookieSample = await heap();
    log(`memory: ${sample} cookie sessions cached`);
    await drive(accessTokens, 0, sample, (t) => ({ authorization: `Bearer ${t}` }));
    const afterBearerSample = await heap();
    const started = performance.now();
    await drive(cookies, sample, half - 50, (s) => ({ cookie: `sid=${s.token}` }));
    await drive(accessTokens, sample, half - 50, (t) => ({ authorization: `Bearer ${t}` }));
    const seconds = (performance.now() - started) / 1000;
    const end = await heap();
    log(`memory: ${memorySessions} sessions driven in ${seconds.toFixed(0)} s, RSS ${(end.rss / 2 ** 20).toFixed(0)} MiB, ${failures} failures`);
    return {
      sessions: memorySessions,
      sample,
      failures,
      bytesPerCookieSession: (afterCookieSample.heapUsed - start.heapUsed) / sample,
      bytesPerBearerSession: (afterBearerSample.heapUsed - afterCookieSample.heapUsed) / sample,
      // Off the V8 heap: Buffers' memory (a kept slice of Node's Buffer pool keeps the whole chunk).
      offHeapPerCookieSession: (afterCookieSample.arrayBuffers - start.arrayBuffers) / sample,
      offHeapPerBearerSession: (afterBearerSample.arrayBuffers - afterCookieSample.arrayBuffers) / sample,
      start,
      end,
      driveSeconds: seconds,
    };
  } finally {
    await db.end();
    await host.stop();
  }
}
