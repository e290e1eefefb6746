import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { onWorkerExit } from './worker-exit.js';

export interface StartApiOptions {
  /** Extra environment for the app; overrides everything the harness sets. */
  env?: Record<string, string>;
  /** Defaults to SIGNOFF_TEST_DATABASE_URL from the global setup. */
  databaseUrl?: string;
  /** Defaults to SIGNOFF_TEST_REDIS_URL from the global setup. */
  redisUrl?: string;
  /** How long to wait for GET /api/health to answer 200; 30 s by default. */
  readyTimeoutMs?: number;
  /**
   * The HTTP platform the app runs on (`HTTP_ADAPTER`). Defaults to SIGNOFF_TEST_HTTP_ADAPTER, which
   * the `e2e-fastify` Jest project sets, else Express.
   */
  httpAdapter?: HttpAdapterName;
  /** Called with everything the process writes, as it comes: to act on a line before the app is ready. */
  onOutput?: (chunk: string) => void;
}

/** The Nest HTTP platforms the demo runs on. */
export type HttpAdapterName = 'express' | 'fastify';

export interface ApiProcess {
  /** http://127.0.0.1:<port>, for requests. */
  url: string;
  port: number;
  /** The app's own process id (what it calls `process.pid`). */
  pid: number;
  /** The PUBLIC_ORIGIN the app was started with. */
  origin: string;
  /** The HTTP platform it runs on. */
  httpAdapter: HttpAdapterName;
  /** Everything the process wrote to stdout and stderr so far (interleaved, last 1 MB). */
  logs(): string;
  /** SIGTERM, then SIGKILL if it has not exited after 5 s; how it exited (`code 0`, `signal SIGKILL`). */
  stop(): Promise<string>;
  kill(): void;
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const entry = fileURLToPath(new URL('../dist/apps/api/src/main.js', import.meta.url));
const LOG_LIMIT = 1_000_000;
const STOP_GRACE_MS = 5_000;

/** Runs the built app (dist/apps/api/src/main.js) on a free port and waits until it is healthy. */
export async function startApi(options: StartApiOptions = {}): Promise<ApiProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startApiOnce(options);
    } catch (error) {
      // The free port was taken between the check and the bind (another Jest worker's server): again, on another.
      if (error instanceof PortTakenError && attempt < 3) continue;
      throw error;
    }
  }
}

/** Another process took the port chosen for the app before the app could bind it. */
class PortTakenError extends Error {}

async function startApiOnce(options: StartApiOptions): Promise<ApiProcess> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const overrides = options.env ?? {};
  const httpAdapter = overrides['HTTP_ADAPTER'] ?? options.httpAdapter ?? defaultHttpAdapter();
  if (httpAdapter !== 'express' && httpAdapter !== 'fastify') throw new Error(`unknown HTTP adapter ${JSON.stringify(httpAdapter)}`);
  const setting = (name: string, explicit: string | undefined, harnessVariable: string): string => overrides[name] ?? explicit ?? harnessValue(harnessVariable);
  // NODE_OPTIONS carries Jest's --experimental-vm-modules, which the app does not need.
  const { NODE_OPTIONS: _jestNodeOptions, ...inherited } = process.env;
  const env: Record<string, string | undefined> = {
    ...inherited,
    PORT: String(port),
    DATABASE_URL: setting('DATABASE_URL', options.databaseUrl, 'SIGNOFF_TEST_DATABASE_URL'),
    REDIS_URL: setting('REDIS_URL', options.redisUrl, 'SIGNOFF_TEST_REDIS_URL'),
    REDIS_PREFIX: setting('REDIS_PREFIX', undefined, 'SIGNOFF_TEST_REDIS_PREFIX'),
    PUBLIC_ORIGIN: url,
    AUTH_RATE_LIMIT: '0',
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    // Escape codes would garble the log tail quoted in failure messages.
    NO_COLOR: '1',
    ...overrides,
    HTTP_ADAPTER: httpAdapter,
  };
  // argon2id at its standard cost takes ~0.25 CPU-seconds a hash; the suites sign in and register
  // hundreds of times. The app accepts the cheap hash only with NODE_ENV=test (config/app-config.ts).
  if (env['NODE_ENV'] === 'test') env['PASSWORD_HASHING'] ??= 'fast';

  const child = spawn(process.execPath, [entry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    options.onOutput?.(text);
    output += text;
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exitDescription: string | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitDescription = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
  });
  child.once('error', (error) => {
    spawnError = error;
  });
  // A test that forgets stop() must not keep the Jest process alive; the exit hook then kills the app.
  child.unref();
  (child.stdout as unknown as Socket).unref();
  (child.stderr as unknown as Socket).unref();
  const cancelExitHook = onWorkerExit(() => child.kill('SIGKILL'));
  void exited.then(cancelExitHook);

  const tail = (): string => output.slice(-6000) || '(no output)';
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`could not start the API: ${spawnError.message}`);
    if (exitDescription && output.includes('EADDRINUSE')) throw new PortTakenError(`port ${port} was taken before the API bound it`);
    if (exitDescription) throw new Error(`the API exited (${exitDescription}) before it was ready:\n${tail()}`);
    if (await isHealthy(url)) {
      // Healthy, but whose answer was it? Another worker's app that took the port answers as well.
      if ((await listensOn(child.pid!, port)) === false) {
        child.kill('SIGKILL');
        await exited;
        throw new PortTakenError(`port ${port} answers, but another process listens on it`);
      }
      break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`the API did not answer GET /api/health with 200 within ${timeoutMs} ms:\n${tail()}`);
    }
    await delay(100);
  }

  return {
    url,
    port,
    pid: child.pid!,
    origin: env.PUBLIC_ORIGIN ?? url,
    httpAdapter,
    logs: () => output,
    stop: async () => {
      if (!exitDescription) {
        const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(escalate);
      }
      return exitDescription!;
    },
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}

/** Starts `n` instances at the same moment on one database; if any fails, the others are stopped. */
export async function startApis(n: number, options: StartApiOptions = {}): Promise<ApiProcess[]> {
  const results = await Promise.allSettled(Array.from({ length: n }, () => startApi(options)));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(started.map((api) => api.stop()));
    throw failure.reason;
  }
  return started;
}

/** The platform of this Jest project: SIGNOFF_TEST_HTTP_ADAPTER (set by the e2e-fastify project), else Express. */
export function defaultHttpAdapter(): HttpAdapterName {
  const chosen = process.env['SIGNOFF_TEST_HTTP_ADAPTER'] || 'express';
  if (chosen !== 'express' && chosen !== 'fastify') throw new Error(`SIGNOFF_TEST_HTTP_ADAPTER must be express or fastify (got ${JSON.stringify(chosen)})`);
  return chosen;
}

function harnessValue(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: test-support/global-setup.ts has not run (use the e2e Jest project)`);
  return value;
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Whether process `pid` holds the listening socket of TCP `port` (Linux: /proc/net/tcp{,6} name the
 * socket's inode, /proc/<pid>/fd the process's sockets); undefined where /proc cannot tell.
 */
async function listensOn(pid: number, port: number): Promise<boolean | undefined> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      return undefined;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is "ADDR:PORT" in hex; state 0A is LISTEN; field 9 is the inode.
      if (fields.length > 9 && fields[1].endsWith(`:${hexPort}`) && fields[3] === '0A') inodes.add(fields[9]);
    }
  }
  let descriptors: string[];
  try {
    descriptors = await readdir(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  for (const descriptor of descriptors) {
    const target = await readlink(`/proc/${pid}/fd/${descriptor}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined && inodes.has(inode)) return true;
  }
  return false;
}
