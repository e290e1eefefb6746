import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { onWorkerExit } from '../../../../test-support/worker-exit.js';
import { type ApiResponse, BrowserClient } from '../../../../test-support/http-client.js';
import type { Account } from './accounts.js';

// Names from libs/auth-sessions/src/jobs/auth-sessions.queue.ts and apps/api/src/app.module.ts.
export const QUEUE = 'auth-sessions';
export const CLEANUP_JOB = 'credential-change-cleanup';
export const cleanupJobId = (userId: string, epoch: number): string => `${CLEANUP_JOB}-${userId}-${epoch}`;

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const workerEntry = fileURLToPath(new URL('../../../../dist/apps/api/src/worker.js', import.meta.url));

/**
 * A database and a Redis key prefix that belong to one spec file alone. Every instance relays
 * every pending outbox row of its database and every worker takes every job under its prefix, so
 * "no worker is running" and "Redis is down" only hold when no other spec shares either. The names
 * extend the harness's, so the global teardown removes them even after a crash.
 */
export interface Isolated {
  databaseUrl: string;
  redisPrefix: string;
  drop(): Promise<void>;
}

export function isolated(label: string): Isolated {
  const harnessUrl = required('SIGNOFF_TEST_DATABASE_URL');
  const adminUrl = required('SIGNOFF_TEST_PG_ADMIN_URL');
  const suffix = `${label}_${randomBytes(3).toString('hex')}`;
  const databaseName = `${decodeURIComponent(new URL(harnessUrl).pathname.slice(1))}_${suffix}`;
  const databaseUrl = Object.assign(new URL(harnessUrl), { pathname: `/${databaseName}` }).toString();
  return {
    databaseUrl,
    redisPrefix: `${required('SIGNOFF_TEST_REDIS_PREFIX')}-${suffix}`,
    drop: async () => {
      const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
      admin.on('error', () => undefined);
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e tests through jest (global setup)`);
  return value;
}

/** `node dist/apps/api/src/worker.js` (what `npm run worker` runs), a worker-only process. */
export interface WorkerProcess {
  pid: number;
  logs(): string;
  /** Resolves once the process has exited. */
  exited: Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export function startWorker(options: { databaseUrl: string; redisUrl?: string; redisPrefix: string; env?: Record<string, string> }): WorkerProcess {
  if (!existsSync(workerEntry)) throw new Error(`${workerEntry} is missing: run \`npm run build\` first`);
  // NODE_OPTIONS carries Jest's --experimental-vm-modules, which the worker does not need.
  const { NODE_OPTIONS: _jestNodeOptions, ...inherited } = process.env;
  const child = spawn(process.execPath, [workerEntry], {
    cwd: repoRoot,
    env: {
      ...inherited,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl ?? required('SIGNOFF_TEST_REDIS_URL'),
      REDIS_PREFIX: options.redisPrefix,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      NO_COLOR: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-1_000_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let hasExited = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      hasExited = true;
      resolve();
    }),
  );
  child.unref();
  (child.stdout as unknown as Socket).unref();
  (child.stderr as unknown as Socket).unref();
  const cancelExitHook = onWorkerExit(() => child.kill('SIGKILL'));
  void exited.then(cancelExitHook);
  return {
    pid: child.pid ?? -1,
    logs: () => output,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (!hasExited) child.kill(signal);
    },
    stop: async () => {
      if (hasExited) return;
      const escalate = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(escalate);
    },
  };
}

/** The library's BullMQ queue as the app sees it (prefix `<REDIS_PREFIX>:bull`), for inspection. */
export function jobsQueue(redisUrl: string, redisPrefix: string): { queue: Queue; redis: Redis; close(): Promise<void> } {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const queue = new Queue(QUEUE, { connection: redis, prefix: `${redisPrefix}:bull` });
  queue.on('error', () => undefined);
  return {
    queue,
    redis,
    close: async () => {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** Adds a `name` job (no payload) to the queue and waits until a worker has finished it, failed or not. */
export async function finishedJob(queue: Queue, name: string, timeoutMs = 10_000): Promise<Job> {
  const job = await queue.add(name, {});
  return waitFor(
    `the ${name} job to finish`,
    async () => {
      const current = await queue.getJob(job.id!);
      return current?.finishedOn ? current : null;
    },
    timeoutMs,
  );
}

/** Polls `probe` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await delay(everyMs);
  }
}

/** A client carrying only the given session cookie, on any instance (another tab of that browser). */
export function withCookie(baseUrl: string, sid: string): BrowserClient {
  const client = new BrowserClient(baseUrl);
  client.cookies.set('sid', sid);
  return client;
}

/** `POST /api/auth/token`: a bearer session (an API client). */
export async function bearerSignIn(
  baseUrl: string,
  account: Pick<Account, 'email' | 'password'>,
): Promise<{
  access_token: string;
  refresh_token: string;
  session_id: string;
}> {
  const response = await new BrowserClient(baseUrl).request('POST', '/api/auth/token', { json: { email: account.email, password: account.password } });
  if (response.status !== 200) throw new Error(`token sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export function meWithBearer(baseUrl: string, accessToken: string): Promise<ApiResponse> {
  return new BrowserClient(baseUrl).request('GET', '/api/auth/me', { bearer: accessToken });
}

export function refreshWith(baseUrl: string, refreshToken: string): Promise<ApiResponse> {
  return new BrowserClient(baseUrl).request('POST', '/api/auth/token/refresh', { json: { refresh_token: refreshToken } });
}

/** One Server-Sent Event (or comment) as received. */
export interface ReceivedEvent {
  event: string;
  data: string;
  at: number;
}

/** An open `GET /api/auth/events` stream, read chunk by chunk. */
export interface EventStream {
  status: number;
  contentType: string | null;
  events: ReceivedEvent[];
  /** Comment lines (`: heartbeat`, `: connected`) with their arrival times. */
  comments: ReceivedEvent[];
  /** Resolves when the server closes the stream (or the client aborts it). */
  closed: Promise<void>;
  isClosed(): boolean;
  /** Waits for the first event named `name`; rejects after `timeoutMs`. */
  next(name: string, timeoutMs: number): Promise<ReceivedEvent>;
  close(): void;
}

export async function openEvents(baseUrl: string, credentials: { sid?: string; bearer?: string }): Promise<EventStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (credentials.sid) headers.cookie = `sid=${credentials.sid}`;
  if (credentials.bearer) headers.authorization = `Bearer ${credentials.bearer}`;
  const response = await fetch(new URL('/api/auth/events', baseUrl), { headers, signal: controller.signal });
  const events: ReceivedEvent[] = [];
  const comments: ReceivedEvent[] = [];
  const waiters = new Set<() => void>();
  let isClosed = false;
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  const closed = (async () => {
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push({ event: 'comment', data: line.slice(1).trim(), at: Date.now() });
            else if (line.startsWith('event:')) {
              event = line.slice(6).trim();
              isEvent = true;
            } else if (line.startsWith('data:')) {
              data.push(line.slice(5).trimStart());
              isEvent = true;
            }
          }
          if (isEvent) events.push({ event, data: data.join('\n'), at: Date.now() });
          wake();
        }
      }
    } catch {
      // Aborted by close(), or the connection dropped: either way the stream is over.
    } finally {
      isClosed = true;
      wake();
    }
  })();
  if (!response.ok) controller.abort();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    comments,
    closed,
    isClosed: () => isClosed,
    next: (name, timeoutMs) =>
      new Promise<ReceivedEvent>((resolve, reject) => {
        const check = (): void => {
          const found = events.find((event) => event.event === name);
          if (found) {
            finish();
            resolve(found);
          } else if (isClosed) {
            finish();
            reject(new Error(`the stream closed without a "${name}" event (events: ${JSON.stringify(events)})`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no "${name}" event within ${timeoutMs} ms (events: ${JSON.stringify(events)})`));
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () => controller.abort(),
  };
}
