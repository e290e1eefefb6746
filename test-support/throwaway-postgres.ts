import { readFileSync, existsSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accountCanEnter,
  EMBEDDED_POSTGRES_PASSWORD,
  initCluster,
  postgresRuntime,
  type RunningPostgres,
  startServer,
} from '../apps/api/src/infrastructure/embedded-postgres.js';
import { freePort } from './free-port.js';
import { onWorkerExit } from './worker-exit.js';

export interface ThrowawayPostgres {
  /** URL of the `postgres` database (user postgres, password postgres). */
  url: string;
  /** Fast shutdown; the data directory is kept so `start()` brings the same cluster back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  dispose(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const FLAGS = ['-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

/**
 * A PostgreSQL cluster (the embedded-postgres binaries, run by apps/api's embedded-postgres module) owned
 * by one test, which may stop and restart it at will. Works as root (the server runs as the postgres
 * account, from a copy of the binaries when the clone sits under a private folder) and fails fast, with
 * the server's own words, when it cannot start.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const runtime = await postgresRuntime();
  const base = await mkdtemp(join(tmpdir(), 'signoff-pg-'));
  // The postgres account (as root) must enter it; the cluster itself is private to that account.
  await chmod(base, 0o755);
  const dataDir = join(base, 'data');
  const logFile = join(base, 'postgres.log');
  if (!accountCanEnter(runtime, base)) {
    await rm(base, { recursive: true, force: true });
    throw new Error(`the postgres account cannot enter ${base}: point TMPDIR at a folder every user can reach`);
  }
  const port = await freePort();
  let server: RunningPostgres | undefined;
  // Inside Jest, `process` exit hooks of the test file never run; the worker's own do.
  const cancelExitHook = onWorkerExit(() => {
    signalPostmaster(dataDir, 'SIGQUIT');
    removeWhileServerExits(base);
  });

  const start = async (): Promise<void> => {
    if (server) return;
    server = await startServer(runtime, { dataDir, port, logFile, flags: FLAGS, timeoutMs: START_TIMEOUT_MS });
  };
  const stop = async (): Promise<void> => {
    const running = server;
    server = undefined;
    await running?.stop();
  };

  try {
    await initCluster(runtime, dataDir, logFile);
    await start();
  } catch (error) {
    cancelExitHook();
    signalPostmaster(dataDir, 'SIGQUIT');
    removeWhileServerExits(base);
    throw error;
  }

  return {
    url: `postgres://postgres:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${port}/postgres`,
    start,
    stop,
    dispose: async () => {
      await stop();
      cancelExitHook();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/**
 * Synchronous, for exit handlers. The server, still going down, deletes files of its own meanwhile,
 * and rmSync then reports success for a tree it removed only in part, hence the loop.
 */
function removeWhileServerExits(dir: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; attempt < 40 && existsSync(dir); attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Retried below.
    }
    if (existsSync(dir)) Atomics.wait(pause, 0, 0, 50);
  }
}

function signalPostmaster(dataDir: string, signal: NodeJS.Signals): void {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    if (pid > 0) process.kill(pid, signal);
  } catch {
    // No pid file or no such process: nothing is running.
  }
}
