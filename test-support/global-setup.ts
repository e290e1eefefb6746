// Jest loads globalSetup/globalTeardown through its CommonJS require hook, where moduleNameMapper does not
// apply, so a relative `./x.js` import of a sibling .ts file cannot resolve. This file and
// global-teardown.ts therefore import only packages (and types), and repeat the few lines they share
// with free-port.ts and the throwaway servers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '@jest/types';
import { Redis } from 'ioredis';
import pg from 'pg';

type EmbeddedModule = typeof import('../apps/api/src/infrastructure/embedded-postgres.js');

/** Written to SIGNOFF_TEST_STATE_FILE for global-teardown.ts. */
export interface HarnessState {
  databaseName: string;
  databaseUrl: string;
  adminUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Present when this run started an embedded PostgreSQL (its cluster, with postmaster.pid, is dataDir/data). */
  embeddedPostgres?: { dataDir: string };
  /** Present when this run spawned redis-server. */
  redisServer?: { pid: number; dir: string };
}

// As in the app, LOCAL_DATABASE_URL / LOCAL_REDIS_URL say where to look before starting servers of our own
// (point them at a closed port to run the suite on an embedded PostgreSQL and a spawned redis-server).
const LOCAL_POSTGRES = withDatabase(process.env.LOCAL_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', 'postgres');
const LOCAL_REDIS = process.env.LOCAL_REDIS_URL || 'redis://127.0.0.1:6379';

export default async function globalSetup(_global: Config.GlobalConfig, project: Config.ProjectConfig): Promise<void> {
  const root = project.rootDir;
  if (!existsSync(join(root, 'dist/apps/api/src/main.js'))) {
    throw new Error('dist/apps/api/src/main.js is missing: the e2e tests run the built app, so run `npm run build` first');
  }
  const runId = randomBytes(6).toString('hex');
  const undo: Array<() => Promise<void>> = [];
  try {
    const postgres = await choosePostgres(root, undo);
    const databaseName = `signoff_test_${runId}`;
    await createDatabase(postgres.adminUrl, databaseName);
    undo.push(() => dropDatabase(postgres.adminUrl, databaseName));
    const redis = await chooseRedis(undo);

    const state: HarnessState = {
      databaseName,
      databaseUrl: withDatabase(postgres.adminUrl, databaseName),
      adminUrl: postgres.adminUrl,
      redisUrl: redis.url,
      redisPrefix: `signoff-test-${runId}`,
      embeddedPostgres: postgres.embedded,
      redisServer: redis.spawned,
    };
    const stateFile = join(tmpdir(), `signoff-test-${runId}.json`);
    await writeFile(stateFile, JSON.stringify(state, null, 2));

    process.env.SIGNOFF_TEST_DATABASE_URL = state.databaseUrl;
    process.env.SIGNOFF_TEST_PG_ADMIN_URL = state.adminUrl;
    process.env.SIGNOFF_TEST_REDIS_URL = state.redisUrl;
    process.env.SIGNOFF_TEST_REDIS_PREFIX = state.redisPrefix;
    process.env.SIGNOFF_TEST_STATE_FILE = stateFile;
    // The suites start the built app some 170 times, and loading its modules is most of each start: V8's
    // compile cache (Node >= 22.1) lets every start after the first skip compiling them. The workers and
    // every process they spawn inherit it; the cache holds compiled code only, keyed by file contents.
    process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'signoff-e2e-compile-cache');
    process.stderr.write(
      `\n[e2e] PostgreSQL ${postgres.description}, database ${databaseName}; ` + `Redis ${redis.description}, key prefix ${state.redisPrefix}\n`,
    );
  } catch (error) {
    // Jest skips globalTeardown when globalSetup fails, so undo here what was already done.
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

interface ChosenPostgres {
  adminUrl: string;
  description: string;
  embedded?: { dataDir: string };
}

async function choosePostgres(root: string, undo: Array<() => Promise<void>>): Promise<ChosenPostgres> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    return { adminUrl: withDatabase(configured, 'postgres'), description: `${new URL(configured).host} (DATABASE_URL)` };
  }
  if (await postgresAnswers(LOCAL_POSTGRES, 1000)) return { adminUrl: LOCAL_POSTGRES, description: new URL(LOCAL_POSTGRES).host };

  // The app's own embedded-PostgreSQL code, from the build (this file cannot import sibling TypeScript):
  // root-safe (runs the server as the postgres account, from a copy of the binaries when the clone sits
  // under a private folder) and fails fast with the server's own words.
  // A plain path, not a file: URL: Jest compiles this file to CommonJS, so the import() becomes a require()
  // (which Node 24 accepts for an ES module).
  const embedded = (await import(join(root, 'dist/apps/api/src/infrastructure/embedded-postgres.js'))) as EmbeddedModule;
  const runtime = await embedded.postgresRuntime();
  const base = await mkdtemp(join(tmpdir(), 'signoff-e2e-pg-'));
  undo.push(() => rm(base, { recursive: true, force: true }));
  // The postgres account enters it; the cluster inside is private to that account.
  await chmod(base, 0o755);
  if (!embedded.accountCanEnter(runtime, base)) throw new Error(`the postgres account cannot enter ${base}: point TMPDIR at a folder every user can reach`);
  const dataDir = join(base, 'data');
  const logFile = join(base, 'postgres.log');
  const port = await freePort();
  await embedded.initCluster(runtime, dataDir, logFile);
  const server = await embedded.startServer(runtime, {
    dataDir,
    port,
    logFile,
    flags: ['-c', 'max_connections=300', '-c', 'fsync=off'],
    timeoutMs: 30_000,
  });
  undo.push(() => server.stop());
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    description: `embedded on 127.0.0.1:${port}`,
    embedded: { dataDir: base },
  };
}

interface ChosenRedis {
  url: string;
  description: string;
  spawned?: { pid: number; dir: string };
}

async function chooseRedis(undo: Array<() => Promise<void>>): Promise<ChosenRedis> {
  const configured = process.env.REDIS_URL;
  if (configured) {
    if (!(await redisAnswers(configured, 5000))) throw new Error(`REDIS_URL (${new URL(configured).host}) does not answer PING`);
    return { url: configured, description: `${new URL(configured).host} (REDIS_URL)` };
  }
  if (await redisAnswers(LOCAL_REDIS, 1000)) return { url: LOCAL_REDIS, description: new URL(LOCAL_REDIS).host };

  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'signoff-e2e-redis-'));
  undo.push(() => rm(dir, { recursive: true, force: true }));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let failure: Error | undefined;
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.once('error', (error: NodeJS.ErrnoException) => {
    failure =
      error.code === 'ENOENT'
        ? new Error('no Redis: REDIS_URL is unset, nothing answers on 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server)')
        : error;
  });
  child.once('exit', (code, signal) => {
    failure ??= new Error(`redis-server exited (${signal ?? `code ${code}`}):\n${output}`);
  });
  // Jest would wait for the pipes, and a crashed run must not leave redis-server behind.
  child.unref();
  (child.stdout as unknown as Socket).unref();
  (child.stderr as unknown as Socket).unref();
  process.once('exit', () => child.kill('SIGKILL'));
  undo.push(async () => {
    child.kill('SIGKILL');
  });

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (failure) throw failure;
    if (await redisAnswers(`redis://127.0.0.1:${port}`, 1000)) break;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`);
    await delay(50);
  }
  if (child.pid === undefined) throw new Error('redis-server has no pid');
  return { url: `redis://127.0.0.1:${port}`, description: `spawned on 127.0.0.1:${port}`, spawned: { pid: child.pid, dir } };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function postgresAnswers(url: string, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (error) {
    throw new Error(`could not create database ${name} on ${new URL(adminUrl).host}: ${String(error)}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string, timeoutMs: number): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read the port of a listening socket'))));
    });
  });
}
