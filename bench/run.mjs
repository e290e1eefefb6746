// Signoff benchmarks (`npm run bench`). Every goal is a ratio to a baseline measured in the same
// run on this machine (docs/performance.md); bench/RESULTS.md and the SVG charts next to it are
// rewritten at the end. `npm run bench -- --full` adds the one slow case: RSS at 100k active sessions.
//
//   npm run bench                          default run (≤ 10 minutes on 2 cores; memory at 25k sessions)
//   npm run bench -- --full                everything at full size: what bench/RESULTS.md is written from
//   npm run bench -- --only=guards,scale   some phases only (RESULTS.md is then not rewritten)
//   DATABASE_URL=… REDIS_URL=…             use these servers (default: local PostgreSQL, an own redis-server)
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { baselines } from './lib/baselines.mjs';
import { createDatabase, demoEntry, hostEntry } from './lib/common.mjs';
import { runGuards } from './lib/guards.mjs';
import { runMemory } from './lib/memory.mjs';
import { startRedis } from './lib/redis-server.mjs';
import { writeReport } from './lib/report.mjs';
import { runRevocation } from './lib/revocation.mjs';
import { runScale } from './lib/scale.mjs';

const args = new Set(process.argv.slice(2));
const full = args.has('--full') || process.env.BENCH_FULL === '1';
const onlyArg = process.argv.find((arg) => arg.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const quick = args.has('--quick');
const number = (name, fallback) => Number(process.env[name] ?? fallback);

const config = {
  full,
  quick,
  seconds: number('BENCH_SECONDS', quick ? 3 : 6),
  warmupSeconds: number('BENCH_WARMUP_SECONDS', quick ? 1 : 2),
  // B1: more, shorter rounds, each variant's median round reported (see bench/lib/guards.mjs).
  b1Rounds: number('BENCH_B1_ROUNDS', quick ? 1 : 4),
  b1Seconds: number('BENCH_B1_SECONDS', 3),
  b1WarmupSeconds: number('BENCH_B1_WARMUP_SECONDS', 1),
  connections: number('BENCH_CONNECTIONS', 32),
  pin: process.env.BENCH_PIN !== '0',
  b2Trials: number('BENCH_B2_TRIALS', quick ? 20 : 100),
  instanceCounts: (process.env.BENCH_INSTANCES ?? (quick ? '1,2,4' : '1,2,4,8,16')).split(',').map(Number),
  ackTrials: number('BENCH_ACK_TRIALS', quick ? 10 : 40),
  tableSessions: number('BENCH_TABLE_SESSIONS', full ? 1_000_000 : quick ? 50_000 : 1_000_000),
  b3Sizes: (process.env.BENCH_B3_SIZES ?? (quick ? '10,1000' : '10,1000,100000')).split(',').map(Number),
  // 100k sessions take the memory phase 110 s on the 2-core AMD machine, enough to push a loaded
  // default run past 10 minutes (10.7 twice); the per-session figures are the same at 25k.
  memorySessions: number('BENCH_MEMORY_SESSIONS', full ? 100_000 : quick ? 5_000 : 25_000),
};

for (const entry of [demoEntry, hostEntry]) {
  if (!existsSync(entry)) {
    console.error(`${entry} is missing: run npm run build (and tsc -p bench/host/tsconfig.json)`);
    process.exit(1);
  }
}

if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(`Node ${process.version}: the project runs on Node 24 (its devDependency); start this through npm run bench.`);
  process.exit(1);
}
const startedAt = Date.now();
const log = (message) => console.error(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const pgServer = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = randomBytes(4).toString('hex');
const prefix = `signoff-bench-${run}`;
const jwtSecret = randomBytes(48).toString('base64url');

async function main() {
  const redis = await startRedis();
  log(`Redis ${redis.own ? 'of our own' : 'given'} at ${redis.url}; PostgreSQL at ${new URL(pgServer).host}`);
  const demoDb = await createDatabase(pgServer, `signoff_bench_${run}`);
  const hostDb = await createDatabase(pgServer, `signoff_bench_host_${run}`);
  const results = { date: new Date().toISOString(), config, durations: {}, loadStart: os.loadavg()[0], redisOwn: redis.own, machine: machine() };
  const phase = async (name, work) => {
    if (only && !only.has(name)) return;
    const started = Date.now();
    log(`phase ${name}`);
    results[name] = await work();
    results.durations[name] = (Date.now() - started) / 1000;
  };
  const context = { demoDatabaseUrl: demoDb.url, hostDatabaseUrl: hostDb.url, redisUrl: redis.url, prefix, jwtSecret, log, ...config };
  try {
    await phase('baselines', () => baselines(context));
    await phase('guards', () => runGuards(context));
    await phase('revocation', () => runRevocation(context));
    await phase('scale', () => runScale(context));
    await phase('memory', () => runMemory(context));
  } finally {
    await demoDb.drop().catch((error) => log(`could not drop ${demoDb.url}: ${error.message}`));
    await hostDb.drop().catch((error) => log(`could not drop ${hostDb.url}: ${error.message}`));
    await redis.stop();
  }
  results.totalSeconds = (Date.now() - startedAt) / 1000;
  results.loadEnd = os.loadavg()[0];
  writeReport(results, { write: !only });
  log(`done in ${results.totalSeconds.toFixed(0)} s`);
}

function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
