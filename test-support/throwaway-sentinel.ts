import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { onWorkerExit } from './worker-exit.js';

/** One redis-server process (a data node or a Sentinel) of a throwaway Sentinel set. */
export interface RedisNode {
  port: number;
  role: 'primary' | 'replica' | 'sentinel';
  /** Whether the process is still running. */
  isRunning(): boolean;
  /** SIGKILL: no shutdown, no last words to replicas or Sentinels. */
  kill(): Promise<void>;
}

export interface ThrowawaySentinelSet {
  /** The master name the Sentinels monitor. */
  name: string;
  /** `redis+sentinel://127.0.0.1:<s1>,127.0.0.1:<s2>,127.0.0.1:<s3>/<name>`, what the app's REDIS_URL takes. */
  url: string;
  primary: RedisNode;
  replica: RedisNode;
  sentinels: RedisNode[];
  /** The port the Sentinels currently give for the master (asks each until one answers). */
  masterPort(): Promise<number | null>;
  /** Stops every process and deletes their directories. */
  dispose(): Promise<void>;
}

export interface SentinelSetOptions {
  /** Sentinels' `down-after-milliseconds`: how long the primary must be silent to be declared down. */
  downAfterMs?: number;
  /** Sentinels' `failover-timeout`. */
  failoverTimeoutMs?: number;
}

const READY_TIMEOUT_MS = 20_000;

/**
 * A Redis primary, one replica and three Sentinels (quorum 2) on 127.0.0.1, owned by one test,
 * started with `redis-server` (`--sentinel` for the Sentinels, so Debian's redis-sentinel package is
 * not needed). Resolves once the replica is in sync and every Sentinel knows the replica and the two
 * other Sentinels, so a failover can be elected at once.
 */
export async function startThrowawaySentinelSet(options: SentinelSetOptions = {}): Promise<ThrowawaySentinelSet> {
  const name = 'signoff-test';
  const dir = await mkdtemp(join(tmpdir(), 'signoff-sentinel-'));
  const children: ChildProcess[] = [];
  const cancelExitHook = onWorkerExit(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const dispose = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopChild(child)));
    cancelExitHook();
    await rm(dir, { recursive: true, force: true });
  };

  const spawnNode = async (role: RedisNode['role'], args: string[], port: number): Promise<RedisNode> => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.unref();
    (child.stdout as Socket | null)?.unref();
    (child.stderr as Socket | null)?.unref();
    let running = true;
    let failure: Error | undefined;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        running = false;
        failure ??= new Error(`redis-server (${role}, port ${port}) exited (${signal ?? `code ${code}`}):\n${output}`);
        resolve();
      }),
    );
    child.once('error', (error: NodeJS.ErrnoException) => {
      failure = error.code === 'ENOENT' ? new Error('redis-server is not installed: apt-get install redis-server') : error;
    });
    children.push(child);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answers(port))) {
      if (failure) throw failure;
      if (Date.now() > deadline) throw new Error(`redis-server (${role}, port ${port}) did not answer PING:\n${output}`);
      await delay(50);
    }
    return {
      port,
      role,
      isRunning: () => running,
      kill: async () => {
        child.kill('SIGKILL');
        await exited;
      },
    };
  };

  try {
    const [primaryPort, replicaPort, ...sentinelPorts] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const dataArgs = (port: number, sub: string) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      join(dir, sub),
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ];
    await Promise.all(['primary', 'replica'].map((sub) => mkdir(join(dir, sub), { recursive: true })));
    const primary = await spawnNode('primary', dataArgs(primaryPort, 'primary'), primaryPort);
    const replica = await spawnNode('replica', [...dataArgs(replicaPort, 'replica'), '--replicaof', '127.0.0.1', String(primaryPort)], replicaPort);
    const sentinels: RedisNode[] = [];
    for (const [index, port] of sentinelPorts.entries()) {
      // A Sentinel rewrites its configuration file, so each gets its own.
      const file = join(dir, `sentinel-${index}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(await spawnNode('sentinel', [file, '--sentinel'], port));
    }

    await waitUntil('the replica to be in sync with the primary', async () =>
      /master_link_status:up/.test(String(await command(replicaPort, ['INFO', 'replication']))),
    );
    await waitUntil('every Sentinel to know the replica and the two other Sentinels', async () => {
      for (const sentinel of sentinels) {
        const replicas = (await command(sentinel.port, ['SENTINEL', 'REPLICAS', name])) as unknown[];
        const others = (await command(sentinel.port, ['SENTINEL', 'SENTINELS', name])) as unknown[];
        if (replicas.length !== 1 || others.length !== 2) return false;
      }
      return true;
    });

    return {
      name,
      url: `redis+sentinel://${sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',')}/${name}`,
      primary,
      replica,
      sentinels,
      masterPort: async () => {
        for (const sentinel of sentinels) {
          if (!sentinel.isRunning()) continue;
          const address = (await command(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name]).catch(() => null)) as [string, string] | null;
          if (address) return Number(address[1]);
        }
        return null;
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** One command on a short-lived connection that never retries (no timers left behind). */
async function command(port: number, args: string[]): Promise<unknown> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(args[0], ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

async function answers(port: number): Promise<boolean> {
  return (await command(port, ['PING']).catch(() => null)) === 'PONG';
}

async function waitUntil(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${READY_TIMEOUT_MS} ms waiting for ${what}`);
    await delay(100);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
