import { Injectable, Logger } from '@nestjs/common';
import { isStoreUnavailableError } from './store-unavailable.js';

/**
 * What the library's background work (the repeating jobs, the outbox relay) says about a PostgreSQL
 * it cannot reach: one line when the first run fails, one when a run succeeds again, with how many
 * runs failed in between. Those runs come every second or so on every instance; a line each would
 * be thousands an hour of the same news. Requests need no such line: they answer 503 themselves.
 */
@Injectable()
export class DatabaseOutageLog {
  private readonly logger = new Logger('AuthSessions');
  private outage: { since: number; failures: number } | null = null;

  /** Whether an outage is open: a run failed for want of PostgreSQL and none has succeeded since. */
  get isDown(): boolean {
    return this.outage !== null;
  }

  /**
   * A background run failed. True when the error means PostgreSQL could not be reached (counted, and
   * logged only when it opens an outage); false for any other error, which the caller reports.
   */
  failed(error: unknown): boolean {
    if (!isStoreUnavailableError(error)) return false;
    if (!this.outage) {
      this.outage = { since: Date.now(), failures: 0 };
      this.logger.warn({
        msg:
          `PostgreSQL is unreachable: ${(error as Error)?.message ?? String(error)}. Until it is back: requests that need it answer 503, ` +
          'the repeating jobs skip their runs and the outbox waits',
        event: 'postgres_unreachable',
      });
    }
    this.outage.failures++;
    return true;
  }

  /** A background run reached PostgreSQL: ends an open outage with one line. */
  succeeded(): void {
    if (!this.outage) return;
    const { since, failures } = this.outage;
    this.outage = null;
    const downMs = Date.now() - since;
    this.logger.log({
      msg: `PostgreSQL is reachable again after ${failures} failed background run${failures === 1 ? '' : 's'} over ${(downMs / 1000).toFixed(1)} s`,
      event: 'postgres_back',
      failedRuns: failures,
      downMs,
    });
  }
}
