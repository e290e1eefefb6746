// Imports only packages and types: see the note at the top of global-setup.ts.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { HarnessState } from './global-setup.js';

export default async function globalTeardown(): Promise<void> {
  const stateFile = process.env.SIGNOFF_TEST_STATE_FILE;
  if (!stateFile || !existsSync(stateFile)) return;
  const state = JSON.parse(await readFile(stateFile, 'utf8')) as HarnessState;

  // Every step runs even when an earlier one fails, so one problem does not leave servers behind.
  const problems: string[] = [];
  const attempt = async (what: string, step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await attempt('drop the test databases', () => dropTestDatabases(state));
  await attempt('delete the test Redis keys', () => deleteKeys(state.redisUrl, state.redisPrefix));
  if (state.embeddedPostgres) {
    const { dataDir } = state.embeddedPostgres;
    await attempt('stop the embedded PostgreSQL', async () => {
      // SIGINT is PostgreSQL's fast shutdown.
      await stopProcess(postmasterPid(join(dataDir, 'data')), 'SIGINT');
      await rm(dataDir, { recursive: true, force: true });
    });
  }
  if (state.redisServer) {
    const { pid, dir } = state.redisServer;
    await attempt('stop redis-server', async () => {
      await stopProcess(pid, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    });
  }
  await rm(stateFile, { force: true });
  if (problems.length > 0) throw new Error(`e2e global teardown: ${problems.join('; ')}`);
}

/** The test database, and any database a test created under the same name plus a `_suffix`. */
async function dropTestDatabases(state: HarnessState): Promise<void> {
  const client = new pg.Client({ connectionString: state.adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')`, [
      state.databaseName,
    ]);
    for (const { datname } of rows) {
      // FORCE ends the connections of app processes that a test left running.
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    for await (const keys of client.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await client.unlink(...keys);
    }
  } finally {
    client.disconnect();
  }
}

function postmasterPid(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  return pid > 0 ? pid : undefined;
}

async function stopProcess(pid: number | undefined, signal: NodeJS.Signals): Promise<void> {
  if (pid === undefined || !isAlive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + 15_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await delay(50);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
