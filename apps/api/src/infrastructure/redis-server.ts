import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { freePort, isListening } from './tcp-probe.js';

const logger = new Logger('Redis');

/** A Redis URL to use, and how to stop the server when the app started one. */
export interface ResolvedRedis {
  url: string;
  stop(): Promise<void>;
}

/** Thrown when no Redis can be found or started; the message says how to get one. */
export class RedisUnavailableError extends Error {}

/**
 * REDIS_URL when set; else Redis on localhost:6379 when something listens there; else a
 * `redis-server` from PATH, with its data under `<dataDir>/redis`.
 */
export async function resolveRedis(redisUrl: string | null, dataDir: string): Promise<ResolvedRedis> {
  if (redisUrl) return { url: redisUrl, stop: async () => undefined };
  if (await isListening('localhost', 6379)) return { url: 'redis://localhost:6379', stop: async () => undefined };
  if (spawnSync('redis-server', ['--version']).error) {
    throw new RedisUnavailableError(
      'No Redis: REDIS_URL is unset, nothing listens on localhost:6379 and redis-server is not on PATH. ' +
        'Install one (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) or set REDIS_URL.',
    );
  }
  const directory = resolve(join(dataDir, 'redis'));
  await mkdir(directory, { recursive: true });
  const port = await freePort();
  logger.log(`Nothing listens on localhost:6379 and REDIS_URL is unset: starting redis-server on port ${port}`);
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  for (let attempt = 0; attempt < 50 && !(await isListening('127.0.0.1', port, 200)); attempt++) {
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}
