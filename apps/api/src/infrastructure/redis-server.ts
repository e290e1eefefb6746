import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { isAlive, tail } from './embedded-postgres.js';
import { claimServers, runningOwner } from './server-ownership.js';
import { freePort, isListening } from './tcp-probe.js';

export const DEFAULT_LOCAL_REDIS_URL = 'redis://localhost:6379';
const logger = new Logger('Redis');
const START_TIMEOUT_MS = 10_000;

/** The Redis the process uses, and how to stop it when the process owns it. */
export interface ResolvedRedis {
  url: string;
  /** `configured` (REDIS_URL), `local` (something answered at the local address), `spawned` (redis-server from PATH). */
  kind: 'configured' | 'local' | 'spawned';
  /** One line for people: which server, where its data is, whether it was started, reused or shared. */
  description: string;
  /** The pid of the redis-server this process owns (started, or adopted from a crashed run). */
  ownedPid: number | null;
  /** Stops the redis-server when this process owns it; otherwise does nothing. */
  stop(): Promise<void>;
}

/** Thrown when no Redis can be found or started; the message says how to get one. */
export class RedisUnavailableError extends Error {}

/**
 * REDIS_URL when set; else the local server (`localUrl`, localhost:6379) when something listens there;
 * else a `redis-server` from PATH, with its data under `<dataDir>/redis`. A redis-server left running
 * by a run that crashed is reused (and owned from then on), never started twice.
 */
export async function resolveRedis(redisUrl: string | null, dataDir: string, localUrl: string = DEFAULT_LOCAL_REDIS_URL): Promise<ResolvedRedis> {
  const none = async (): Promise<void> => undefined;
  if (redisUrl) return { url: redisUrl, kind: 'configured', description: `${hostOf(redisUrl)} (REDIS_URL)`, ownedPid: null, stop: none };
  const local = new URL(localUrl);
  if (await isListening(local.hostname, Number(local.port || 6379))) {
    return { url: localUrl, kind: 'local', description: `${hostOf(localUrl)} (found running; set REDIS_URL to choose another)`, ownedPid: null, stop: none };
  }
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    throw new RedisUnavailableError(
      `No Redis: REDIS_URL is unset, nothing listens on ${hostOf(localUrl)} and redis-server is not on PATH. ` +
        'Install one (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) or set REDIS_URL.',
    );
  }
  const home = resolve(dataDir);
  const directory = join(home, 'redis');
  await mkdir(directory, { recursive: true });
  const pidFile = join(directory, 'redis.pid');
  const portFile = join(directory, 'redis.port');

  const left = await leftRunning(pidFile, portFile, directory);
  if (left) {
    const owner = runningOwner(home);
    if (owner) {
      logger.log(`Using the redis-server of the running Signoff process ${owner} (pid ${left.pid}, port ${left.port}); it stops with that process`);
      return {
        url: `redis://127.0.0.1:${left.port}`,
        kind: 'spawned',
        description: `redis-server 127.0.0.1:${left.port}, shared with process ${owner}`,
        ownedPid: null,
        stop: none,
      };
    }
    logger.log(`Reusing the redis-server left by an earlier run (pid ${left.pid}, port ${left.port}); it now stops with this process`);
    await claimServers(home);
    return owned(left.pid, left.port, 'reused from an earlier run');
  }

  const port = await freePort();
  logger.log(`Starting redis-server on 127.0.0.1:${port}: nothing listens on ${hostOf(localUrl)} and REDIS_URL is unset`);
  await claimServers(home);
  const logFile = join(home, 'redis.log');
  const fd = openSync(logFile, 'a');
  let exit: string | undefined;
  try {
    // A process group of its own: a Ctrl-C meant for the app does not reach it; the app stops it after draining.
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        directory,
        '--pidfile',
        pidFile,
        '--daemonize',
        'no',
        // Queue and rate-limit state survive a restart and are never evicted under memory pressure.
        '--appendonly',
        'yes',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { detached: true, stdio: ['ignore', fd, fd] },
    );
    child.once('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', (error) => (exit = error.message));
    child.unref();
    await writeFile(portFile, String(port));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answersPing(port))) {
      if (exit !== undefined) throw new RedisUnavailableError(`redis-server on port ${port} exited at start (${exit}). Its log, ${logFile}:\n${tail(logFile)}`);
      if (Date.now() > deadline) {
        if (child.pid) await stopRedis(child.pid);
        throw new RedisUnavailableError(
          `redis-server on port ${port} did not answer within ${START_TIMEOUT_MS / 1000} s. Its log, ${logFile}:\n${tail(logFile)}`,
        );
      }
      await delay(50);
    }
    return owned(child.pid!, port, 'started now');
  } finally {
    closeSync(fd);
  }

  function owned(pid: number, listening: number, how: string): ResolvedRedis {
    return {
      url: `redis://127.0.0.1:${listening}`,
      kind: 'spawned',
      description: `redis-server 127.0.0.1:${listening}, pid ${pid}, data in ${directory} (${how})`,
      ownedPid: pid,
      stop: () => stopRedis(pid),
    };
  }
}

/** A redis-server started for this data folder by an earlier run and still serving it. */
async function leftRunning(pidFile: string, portFile: string, directory: string): Promise<{ pid: number; port: number } | null> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  const port = Number.parseInt(await readFile(portFile, 'utf8').catch(() => ''), 10);
  if (!(pid > 0) || !(port > 0) || !isAlive(pid)) return null;
  // The port may have been taken since by another Redis: only the one serving this folder counts.
  const dir = await configDir(port);
  return dir === directory ? { pid, port } : null;
}

/** SIGTERM (redis-server flushes its append-only file and exits), then SIGKILL after 10 s. */
async function stopRedis(pid: number): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGTERM', 10_000],
    ['SIGKILL', 3000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (isAlive(pid)) {
      if (Date.now() > deadline) break;
      await delay(25);
    }
    if (!isAlive(pid)) return;
  }
}

function answersPing(port: number): Promise<boolean> {
  return rawCommand(port, 'PING\r\n').then((reply) => reply?.startsWith('+PONG') ?? false);
}

/** `CONFIG GET dir` over a raw connection (an ioredis client would retry and print). */
async function configDir(port: number): Promise<string | null> {
  const reply = await rawCommand(port, '*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$3\r\ndir\r\n', 5);
  // *2 $3 dir $<n> <value>
  const lines = reply?.split('\r\n') ?? [];
  return lines[0] === '*2' && lines[2] === 'dir' ? (lines[4] ?? null) : null;
}

function rawCommand(port: number, command: string, replyLines = 1): Promise<string | null> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (answer: string | null): void => {
      socket.destroy();
      resolvePromise(answer);
    };
    socket.setTimeout(1000, () => finish(null));
    socket.once('error', () => finish(null));
    socket.once('connect', () => socket.write(command));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      const isSimple = /^[-+:]/.test(reply);
      if (reply.split('\r\n').length > (isSimple ? 1 : replyLines)) finish(reply);
    });
  });
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'an unreadable URL';
  }
}
