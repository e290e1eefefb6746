import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { type AppConfig, ConfigError, loadAppConfig } from '../config/app-config.js';
import { EmbeddedPostgresError } from './embedded-postgres.js';
import { startupLogger } from './logging.js';
import { resolvePostgres, type ResolvedPostgres } from './postgres-server.js';
import { prepareDatabase } from './prepare-database.js';
import { RedisUnavailableError, resolveRedis, type ResolvedRedis } from './redis-server.js';
import { releaseServers } from './server-ownership.js';

/** The configuration, and the PostgreSQL and Redis the process uses (possibly started by it). */
export interface Infrastructure {
  config: AppConfig & { databaseUrl: string; redisUrl: string };
  postgres: ResolvedPostgres;
  redis: ResolvedRedis;
}

/** What the process runs once PostgreSQL and Redis are ready: a Nest app, with its HTTP server when it serves. */
export interface Running {
  app: INestApplicationContext;
  http?: Server;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// The npm scripts that start a long-running process: when npm (or whatever started npm) goes away, so does the process.
const SUPERVISED_SCRIPTS = new Set(['start', 'worker']);
const SLOW_STOP_NOTICE_MS = 3000;
const SAME_SIGNAL_MS = 1000;

class StopRequested extends Error {}

/**
 * Start-up and shutdown of a Signoff process (`npm start`, `npm run worker`), like a well-behaved dev
 * server: SIGINT (Ctrl-C), SIGTERM, SIGHUP, or npm's parent going away stop the app first (no new
 * connections; in-flight requests, event streams and the worker's job finish), then the PostgreSQL
 * and redis-server it started, and print one line saying what stopped and how long it took. A second
 * signal, or the shutdown timeout, forces the stop (the servers still stop).
 */
export class ProcessLifecycle {
  private readonly logger: Logger;
  private config: AppConfig | undefined;
  private postgres: ResolvedPostgres | undefined;
  private redis: ResolvedRedis | undefined;
  private running: Running | undefined;
  private booting: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private forced = false;
  private forceNow: () => void = () => undefined;
  private readonly forcedSignal = new Promise<void>((resolve) => (this.forceNow = resolve));
  private readonly inFlight = new Set<ServerResponse>();
  private lastSignal: { signal: NodeJS.Signals; at: number } | undefined;

  constructor(private readonly name: string) {
    this.logger = new Logger(name);
  }

  /**
   * Reads the configuration, finds or starts PostgreSQL and Redis, prepares the database, then runs
   * `start`. Any failure is logged as one clear line, the servers started so far are stopped, and the
   * process exits 1. Resolves once `start` has resolved.
   */
  async boot(overrides: Partial<AppConfig>, start: (infrastructure: Infrastructure) => Promise<Running>): Promise<Infrastructure & Running> {
    let config: AppConfig;
    try {
      config = { ...loadAppConfig(), ...overrides };
    } catch (error) {
      return this.fail(error);
    }
    this.config = config;
    Logger.overrideLogger(startupLogger(config));
    this.listen();
    const steps = (async () => {
      const postgres = (this.postgres = await resolvePostgres(config.databaseUrl, config.dataDir, config.localDatabaseUrl));
      this.assertNotStopping();
      const redis = (this.redis = await resolveRedis(config.redisUrl, config.dataDir, config.localRedisUrl));
      this.assertNotStopping();
      await prepareDatabase(postgres.url, config);
      this.assertNotStopping();
      const infrastructure: Infrastructure = { config: { ...config, databaseUrl: postgres.url, redisUrl: redis.url }, postgres, redis };
      this.running = await start(infrastructure);
      return { ...infrastructure, ...this.running };
    })();
    this.booting = steps;
    try {
      return await steps;
    } catch (error) {
      if (this.stopping) return new Promise<never>(() => undefined); // the stop sequence exits
      return this.fail(error);
    }
  }

  /**
   * Keeps track of the responses being worked on, so that a stop can tell them to close their
   * connection when they are done. Call before the server listens.
   */
  trackRequests(http: Server): void {
    http.on('request', (_req, res: ServerResponse) => {
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    });
  }

  /**
   * Starts the stop sequence. Once it runs, only `force` (a second signal) changes anything: it cuts
   * the open connections and stops the servers without waiting.
   */
  stop(reason: string, force = false): void {
    if (this.stopping) {
      if (force && !this.forced) {
        this.forced = true;
        this.logger.warn(`${reason} again: stopping now, without waiting`);
        this.running?.http?.closeAllConnections();
        this.forceNow();
      }
      return;
    }
    this.stopping = this.stopSequence(reason);
  }

  private listen(): void {
    for (const signal of STOP_SIGNALS) process.on(signal, () => this.onSignal(signal));
    watchParents((why) => this.stop(why));
  }

  private onSignal(signal: NodeJS.Signals): void {
    const now = Date.now();
    // A Ctrl-C reaches npm and this process at once, and npm relays its copy: one keypress, one signal.
    if (this.lastSignal?.signal === signal && now - this.lastSignal.at < SAME_SIGNAL_MS) return;
    this.lastSignal = { signal, at: now };
    this.stop(signal, true);
  }

  private assertNotStopping(): void {
    if (this.stopping) throw new StopRequested();
  }

  private async stopSequence(reason: string): Promise<void> {
    const startedAt = Date.now();
    const timeoutMs = this.config?.shutdownTimeoutMs ?? 25_000;
    const deadline = setTimeout(() => {
      if (this.forced) return;
      this.forced = true;
      this.logger.warn(`Not stopped after ${timeoutMs / 1000} s (SHUTDOWN_TIMEOUT_MS): stopping now, without waiting`);
      this.running?.http?.closeAllConnections();
      this.forceNow();
    }, timeoutMs);
    const slow = setTimeout(() => this.logger.log(`Stopping (${reason}): ${this.pendingWork()}`), SLOW_STOP_NOTICE_MS);
    await Promise.race([this.booting.catch(() => undefined), this.forcedSignal]);

    const stopped: string[] = [];
    const { app, http } = this.running ?? {};
    let drain: NodeJS.Timeout | undefined;
    if (http) {
      // No new connections; a response still being written goes out with `Connection: close`, and each
      // keep-alive connection is closed as soon as it is idle (server.close() only closes the idle ones once).
      http.prependListener('request', (_req, res) => {
        res.shouldKeepAlive = false;
      });
      for (const res of this.inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      http.close();
      http.closeIdleConnections();
      drain = setInterval(() => http.closeIdleConnections(), 100);
    }
    if (app) {
      // Nest: event streams get their reconnect hint, the HTTP server waits for its connections, then the
      // BullMQ worker finishes its job (or the timeout hands it back through its lock), then the pools close.
      await Promise.race([app.close().catch((error: Error) => this.logger.warn(`Shutting the app down failed: ${error.message}`)), this.forcedSignal]);
      stopped.push(http ? 'HTTP server' : 'worker');
      this.logger.debug(`App closed after ${Date.now() - startedAt} ms`);
    }
    clearInterval(drain);
    const servers = [
      { name: 'redis-server', server: this.redis },
      { name: 'embedded PostgreSQL', server: this.postgres },
    ].filter(({ server }) => server?.ownedPid);
    await Promise.all(servers.map(({ server }) => server!.stop().catch(() => undefined)));
    stopped.push(...servers.map(({ name, server }) => `${name} (pid ${server!.ownedPid})`));
    if (servers.length > 0 && this.config) await releaseServers(this.config.dataDir);
    clearTimeout(deadline);
    clearTimeout(slow);
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    const summary = `Stopped (${reason}) in ${seconds} s: ${stopped.join(', ') || 'nothing was running yet'}`;
    if (this.forced) this.logger.warn(`${summary}; forced`);
    else this.logger.log(summary);
    process.exit(this.forced ? 1 : 0);
  }

  private pendingWork(): string {
    // Node's count of open sockets: not in its type declarations.
    const http: (Server & { _connections?: number }) | undefined = this.running?.http;
    const connections = http?._connections;
    return connections ? `waiting for ${connections} open connection(s)` : 'waiting for the app to finish (a running job, open pools)';
  }

  /** Logs why start-up failed (a configuration problem as one line, anything else with its stack), stops what was started, exits 1. */
  private async fail(error: unknown): Promise<never> {
    const logger = this.logger;
    if (error instanceof ConfigError || error instanceof RedisUnavailableError || error instanceof EmbeddedPostgresError) {
      logger.error(`Cannot start: ${error.message}`);
    } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      logger.error(`Cannot start: port ${this.config?.port} is in use (another Signoff?); stop that process or set PORT`);
    } else {
      logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    const stopping = [this.redis?.stop(), this.postgres?.stop()].filter((promise) => promise !== undefined);
    await Promise.all(stopping.map((promise) => promise.catch(() => undefined)));
    if (this.config && (this.redis?.ownedPid || this.postgres?.ownedPid)) await releaseServers(this.config.dataDir);
    process.exit(1);
  }
}

/** For one-shot commands (`npm run migration:run`): logs why start-up failed (a configuration problem as one line, anything else with its stack) and exits 1. */
export function exitOnStartupFailure(logger: Logger): (error: unknown) => never {
  return (error) => {
    if (error instanceof ConfigError || error instanceof RedisUnavailableError || error instanceof EmbeddedPostgresError) logger.error(error.message);
    else logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  };
}

/**
 * Under `npm start` / `npm run worker`, calls `onGone` when npm, npm's parent, or a shell between npm
 * and this process goes away: a killed npm, or an IDE or script that started npm and died, sends no
 * signal at all. (The npm scripts `exec` node, so npm's own SIGINT and SIGTERM reach this process.)
 */
function watchParents(onGone: (why: string) => void): void {
  if (!SUPERVISED_SCRIPTS.has(process.env['npm_lifecycle_event'] ?? '') || process.platform === 'win32') return;
  const chain: Array<{ pid: number; parent: number }> = [{ pid: process.pid, parent: process.ppid }];
  for (let pid = process.ppid, hops = 0; pid > 1 && hops < 3; hops++) {
    const parent = parentOf(pid);
    if (parent === null) break;
    chain.push({ pid, parent });
    if (isNpm(pid)) break;
    pid = parent;
  }
  if (!chain.some(({ pid }) => pid !== process.pid && isNpm(pid))) chain.splice(1);
  const timer = setInterval(
    () => {
      for (const { pid, parent } of chain) {
        if (parentOf(pid) === parent) continue;
        clearInterval(timer);
        onGone(pid === process.pid ? 'its parent process exited' : `process ${pid}${pid === chain.at(-1)!.pid ? ' (npm)' : ''} lost its parent`);
        return;
      }
    },
    process.platform === 'linux' ? 250 : 1000,
  );
  timer.unref();
}

/** The parent pid of `pid`, or null when it is gone. */
function parentOf(pid: number): number | null {
  if (pid === process.pid) return process.ppid;
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[0] === 'Z' ? null : Number(fields[1]);
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out ? Number(out) : null;
  } catch {
    return null;
  }
}

function isNpm(pid: number): boolean {
  try {
    const command =
      process.platform === 'linux'
        ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
        : execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /(^|[\s/])npm(-cli\.js)?(\s|$)/.test(command);
  } catch {
    return false;
  }
}
