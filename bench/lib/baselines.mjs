// The machine's own limits, measured first in every run (docs/performance.md, "Baselines").
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Redis } from 'ioredis';
import { jwtVerify, SignJWT } from 'jose';
import pg from 'pg';
import { stats, timeLoop } from './common.mjs';

export async function baselines({ demoDatabaseUrl, redisUrl, prefix, quick, log }) {
  const n = quick ? 1000 : 5000;
  const db = new pg.Client({ connectionString: demoDatabaseUrl });
  await db.connect();
  const redis = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  try {
    const result = {};
    result.P0 = await timeLoop(n, () => db.query({ name: 'p0', text: 'SELECT 1' }));
    await db.query('CREATE TABLE bench_p2 (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL, payload text NOT NULL)');
    // A durable single-row write: autocommit, synchronous_commit as the server has it.
    result.P2 = await timeLoop(quick ? 500 : 2000, () =>
      db.query({ name: 'p2', text: 'INSERT INTO bench_p2 (at, payload) VALUES (now(), $1)', values: ['x'.repeat(64)] }),
    );
    result.synchronousCommit = (await db.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
    result.serverVersion = (await db.query('SHOW server_version')).rows[0].server_version;
    await db.query('DROP TABLE bench_p2');
    result.R0 = await timeLoop(n, () => redis.get(`${prefix}:missing`));

    const channel = `${prefix}:r1`;
    let resolveMessage;
    subscriber.on('message', () => resolveMessage?.());
    await subscriber.subscribe(channel);
    const r1 = [];
    for (let i = 0; i < (quick ? 500 : 2000); i++) {
      const received = new Promise((resolve) => (resolveMessage = resolve));
      const started = performance.now();
      await redis.publish(channel, 'x');
      await received;
      r1.push((performance.now() - started) * 1000);
    }
    result.R1 = stats(r1.slice(100));

    const token = randomBytes(32).toString('base64url');
    const stored = createHash('sha256').update(token).digest();
    result.C0_sha256 = await timeLoop(20_000, () => timingSafeEqual(createHash('sha256').update(token).digest(), stored));
    const key = randomBytes(32);
    const jwt = await new SignJWT({ sid: 'x' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(key);
    result.C0_hs256 = await timeLoop(quick ? 2000 : 10_000, () => jwtVerify(jwt, key));
    log(
      `baselines: P0 ${result.P0.p50.toFixed(0)} µs, P2 ${result.P2.p50.toFixed(0)} µs, R0 ${result.R0.p50.toFixed(0)} µs, R1 ${result.R1.p50.toFixed(0)} µs, HS256 ${result.C0_hs256.p50.toFixed(1)} µs`,
    );
    return result;
  } finally {
    await db.end();
    redis.disconnect();
    subscriber.disconnect();
  }
}
