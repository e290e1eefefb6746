import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { onWorkerExit } from './worker-exit.js';

export interface ThrowawayRedis {
  url: string;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
  /** Starts redis-server again on the same port (with an empty dataset: nothing is persisted). */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, as behind a network that drops packets. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Stops the server and deletes its working directory. */
  dispose(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 10_000;

/** A redis-server owned by one test, which may stop and restart it at will. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  // --dir keeps anything redis-server might write out of the repository.
  const dir = await mkdtemp(join(tmpdir(), 'signoff-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const cancelExitHook = onWorkerExit(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<void> => {
    if (child) return;
    let output = '';
    let failure: Error | undefined;
    const spawned = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    spawned.stdout?.on('data', collect);
    spawned.stderr?.on('data', collect);
    // A forgotten server must not keep the Jest process alive; the exit hook then kills it.
    spawned.unref();
    (spawned.stdout as Socket | null)?.unref();
    (spawned.stderr as Socket | null)?.unref();
    exited = new Promise((resolve) => {
      spawned.once('exit', (code, signal) => {
        failure ??= new Error(`redis-server on port ${port} exited (${signal ?? `code ${code}`}):\n${output}`);
        if (child === spawned) child = undefined;
        resolve();
      });
    });
    spawned.once('error', (error: NodeJS.ErrnoException) => {
      failure = error.code === 'ENOENT' ? new Error('redis-server is not installed: apt-get install redis-server') : error;
      if (child === spawned) child = undefined;
    });
    child = spawned;

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (failure) throw failure;
      if (await answersPing(port)) return;
      if (Date.now() > deadline) {
        spawned.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms:\n${output}`);
      }
      await delay(50);
    }
  };

  const stop = async (): Promise<void> => {
    const running = child;
    if (!running) return;
    // A paused server would take SIGTERM only once continued.
    running.kill('SIGCONT');
    const escalate = setTimeout(() => running.kill('SIGKILL'), STOP_GRACE_MS);
    running.kill('SIGTERM');
    await exited;
    clearTimeout(escalate);
  };

  try {
    await start();
  } catch (error) {
    cancelExitHook();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    start,
    stop,
    pause: () => {
      child?.kill('SIGSTOP');
    },
    resume: () => {
      child?.kill('SIGCONT');
    },
    dispose: async () => {
      await stop();
      cancelExitHook();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A raw PING: an ioredis client would leave its connect-timeout timer behind after a refused attempt. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}
