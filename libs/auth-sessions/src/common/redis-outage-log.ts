import type { LoggerService } from '@nestjs/common';

/** What the log needs of an ioredis client: its events and its status. */
export interface WatchableRedisClient {
  status: string;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready' | 'end', listener: () => void): unknown;
}

/** Errors that mean "Redis cannot be reached right now", as ioredis and BullMQ word them. */
const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|Connection is closed|Stream isn't writeable|All sentinels are unreachable|max retries per request|Command timed out|READONLY|LOADING|MASTERDOWN|failed to connect to sentinel/i;
const REPEAT_OTHER_AFTER_MS = 60_000;
/** When an outage that lasts is logged again: after a minute, then after twice as long each time, up to every 30 minutes. */
const FIRST_REMINDER_MS = 60_000;
const MAX_REMINDER_MS = 30 * 60_000;

/**
 * Turns the stream of connection errors of a process's Redis clients into two log lines per
 * outage: one when Redis becomes unreachable, one when every watched client is ready again, with
 * how many connection attempts failed in between. An outage that lasts is logged again after a
 * minute, then less and less often, saying when Redis has not answered once since the process
 * started (a wrong address looks like an outage that never ends). ioredis emits an error on every
 * reconnect attempt, and BullMQ prints the errors of a queue or worker nobody listens to; neither
 * belongs in the log once per retry.
 */
export class RedisOutageLog {
  private readonly clients = new Map<string, WatchableRedisClient>();
  private outage: { since: number; failures: number } | null = null;
  private hasBeenReady = false;
  private reminder: NodeJS.Timeout | undefined;
  private readonly otherErrors = new Map<string, { at: number; suppressed: number }>();

  /**
   * @param logger where the two lines go (the host's logger: JSON under nestjs-pino)
   * @param target the Redis, as safe to log (no credentials)
   * @param whileDown what the process does meanwhile, appended to the first line
   */
  constructor(
    private readonly logger: Pick<LoggerService, 'log' | 'warn'>,
    private readonly target: string,
    private readonly whileDown = '',
  ) {}

  /** Whether an outage is open (some connection failed and not every watched client is ready yet). */
  get isDown(): boolean {
    return this.outage !== null;
  }

  /** Follows a client: each of its errors is a failed attempt, and its `ready` may end the outage. */
  watch(name: string, client: WatchableRedisClient): void {
    this.clients.set(name, client);
    client.on('error', (error: Error) => this.failed(error));
    client.on('ready', () => {
      this.hasBeenReady = true;
      this.settle();
    });
    // A client closed on purpose (shutdown) no longer holds the outage open.
    client.on('end', () => {
      this.clients.delete(name);
      this.settle();
    });
  }

  /**
   * An error re-emitted by something built on its own clients (a BullMQ queue or worker). A
   * connection error counts as a failed attempt while watched clients are not all ready (a late
   * echo of an outage already over is dropped); any other error is logged, at most once a minute
   * per message.
   */
  echo(source: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    const codeText = typeof code === 'string' || typeof code === 'number' ? String(code) : '';
    if (!CONNECTION_ERROR.test(message) && !CONNECTION_ERROR.test(codeText)) {
      this.logOther(source, message);
      return;
    }
    if (this.outage) this.outage.failures++;
    else if ([...this.clients.values()].some((client) => client.status !== 'ready')) this.failed(error as Error);
  }

  private failed(error: Error): void {
    if (!this.outage) {
      this.outage = { since: Date.now(), failures: 0 };
      const message = error?.message || String(error);
      this.logger.warn({
        msg: `Redis (${this.target}) is unreachable: ${message}${this.whileDown ? `. ${this.whileDown}` : ''}`,
        event: 'redis_unreachable',
        redis: this.target,
      });
      this.remindAfter(FIRST_REMINDER_MS);
    }
    this.outage.failures++;
  }

  private remindAfter(afterMs: number): void {
    const timer = setTimeout(() => {
      if (!this.outage) return;
      const { since, failures } = this.outage;
      const never = this.hasBeenReady ? '' : `; it has not answered once since this process started: check the address (${this.target}) and credentials`;
      this.logger.warn({
        msg: `Redis (${this.target}) is still unreachable after ${Math.round((Date.now() - since) / 1000)} s (${failures} failed connection attempts)${never}`,
        event: 'redis_still_unreachable',
        redis: this.target,
        failedAttempts: failures,
        downMs: Date.now() - since,
      });
      this.remindAfter(Math.min(afterMs * 2, MAX_REMINDER_MS));
    }, afterMs);
    // Never what keeps a process alive (a shutdown while Redis is down).
    timer.unref();
    this.reminder = timer;
  }

  private settle(): void {
    if (!this.outage) return;
    if ([...this.clients.values()].some((client) => client.status !== 'ready')) return;
    const downMs = Date.now() - this.outage.since;
    const { failures } = this.outage;
    this.outage = null;
    clearTimeout(this.reminder);
    this.reminder = undefined;
    this.logger.log({
      msg: `Redis (${this.target}) is back after ${failures} failed connection attempt${failures === 1 ? '' : 's'} (all connections) over ${(downMs / 1000).toFixed(1)} s`,
      event: 'redis_back',
      redis: this.target,
      failedAttempts: failures,
      downMs,
    });
  }

  private logOther(source: string, message: string): void {
    const now = Date.now();
    const seen = this.otherErrors.get(message);
    if (seen && now - seen.at < REPEAT_OTHER_AFTER_MS) {
      seen.suppressed++;
      return;
    }
    this.otherErrors.set(message, { at: now, suppressed: 0 });
    const repeats = seen?.suppressed ? ` (${seen.suppressed} more since it was last logged)` : '';
    this.logger.warn({ msg: `${source}: ${message}${repeats}`, event: 'redis_error', redis: this.target });
  }
}
