import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditChainRepository } from '../audit/audit-chain.repository.js';
import { SECURITY_EVENT_NAMES, type SecurityEvents } from '../audit/security-events.js';
import { SESSION_END_REASONS } from '../common/session-end-reason.js';
import type { SessionEvents } from '../sessions/session-events.js';
import { isMetricsScrapeAllowed } from './metrics-access.js';
import type { MetricsRepository } from './metrics.repository.js';
import type { PromClient } from './prom-client.js';
import { withDeadline } from '../common/deadline.js';

/** This instance's session cache, as a scrape reads it. */
export interface SessionCacheState {
  /** Entries held now. */
  entries(): number;
  /** Whether sessions may be served from the cache now (it is on, and Redis and PostgreSQL are trusted). */
  trusted(): boolean;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
// A scrape must answer even when Redis or PostgreSQL hangs; those gauges then keep their last value.
const SCRAPE_TIMEOUT_MS = 2_000;

/**
 * The library's Prometheus metrics, in a registry of its own: active sessions, sessions ended by
 * reason, logout latency, job counts by state and failures, unsealed audit events, this instance's
 * session cache and the process defaults. Built only when metrics are on (`metrics.token` or
 * `metrics.public`), with the host's `prom-client` (an optional peer dependency, loaded then).
 */
export class AuthMetrics {
  private readonly logger = new Logger(AuthMetrics.name);
  private readonly registry: Registry;
  private readonly sessionsEnded: Counter<'reason'>;
  private readonly logoutDuration: Histogram<'route' | 'status'>;
  private readonly scrapeErrors: Counter<'source'>;
  /**
   * The gauges read from PostgreSQL and Redis, refreshed before each scrape is rendered rather than
   * in prom-client's `collect`: prom-client renders every metric at once, so the scrape-error counter
   * was written before a failing read had counted, and showed the failure one scrape late.
   */
  private readonly reads: Array<() => Promise<void>> = [];
  private readonly jobFailures: Counter<'job' | 'final'>;

  constructor(
    private readonly prom: PromClient,
    private readonly token: string | null,
    events: SessionEvents,
    private readonly metrics: MetricsRepository,
    private readonly chain: AuditChainRepository,
    private readonly queue: Queue,
    cache: SessionCacheState,
    securityEvents: Pick<SecurityEvents, 'onRecorded'>,
  ) {
    const { Counter, Gauge, Histogram, Registry } = prom;
    this.registry = new Registry();
    const registers = [this.registry];
    // The process metrics once per process: a host may already collect them in the global registry.
    if (!prom.register.getSingleMetric('process_cpu_user_seconds_total')) prom.collectDefaultMetrics({ register: this.registry });
    this.jobFailures = new Counter({
      name: 'signoff_job_failures_total',
      help: 'Failed runs of Signoff jobs; final="true" once retries are exhausted.',
      labelNames: ['job', 'final'],
      registers,
    });
    this.sessionsEnded = new Counter({ name: 'signoff_sessions_ended_total', help: 'Sessions ended, by reason.', labelNames: ['reason'], registers });
    for (const reason of SESSION_END_REASONS) this.sessionsEnded.inc({ reason }, 0);
    const securityEventCount: Counter<'event'> = new Counter({
      name: 'signoff_security_events_total',
      help: 'Failed or suspicious session activity (AUD-06), by event; every one, including those the log left out.',
      labelNames: ['event'],
      registers,
    });
    for (const event of SECURITY_EVENT_NAMES) securityEventCount.inc({ event }, 0);
    securityEvents.onRecorded((event) => securityEventCount.inc({ event }));
    this.logoutDuration = new Histogram({
      name: 'signoff_logout_duration_seconds',
      help: 'Time to answer a logout request (session ended server-side, then the response).',
      labelNames: ['route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.scrapeErrors = new Counter({
      name: 'signoff_metrics_scrape_errors_total',
      help: 'Gauges that could not be read at scrape time (their last value was kept).',
      labelNames: ['source'],
      registers,
    });
    const activeSessions: Gauge = new Gauge({
      name: 'signoff_active_sessions',
      help: 'Sessions active now (same rule as the guard).',
      registers,
    });
    this.reads.push(() => this.refresh('active_sessions', async () => activeSessions.set(await this.metrics.countActiveSessions())));
    const jobs: Gauge<'state'> = new Gauge({
      name: 'signoff_jobs',
      help: "Jobs in the library's BullMQ queue, by state.",
      labelNames: ['state'],
      registers,
    });
    this.reads.push(() =>
      this.refresh('jobs', async () => {
        const counts = await this.queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) jobs.set({ state }, counts[state] ?? 0);
      }),
    );
    const unsealed: Gauge = new Gauge({
      name: 'signoff_audit_unsealed_events',
      help: 'Committed audit events not yet sealed into the hash chain.',
      registers,
    });
    this.reads.push(() => this.refresh('audit_unsealed', async () => unsealed.set(await this.chain.countUnsealed())));
    // Per instance, read from memory: how full the cache is, and whether it is being used at all. A
    // dependency's trouble makes an instance distrust its cache and read every session from PostgreSQL.
    const cacheEntries: Gauge = new Gauge({
      name: 'signoff_session_cache_entries',
      help: "Sessions held in this instance's cache.",
      registers,
      collect: () => cacheEntries.set(cache.entries()),
    });
    const cacheTrusted: Gauge = new Gauge({
      name: 'signoff_session_cache_trusted',
      help: 'Whether this instance serves sessions from its cache now (1), or reads each one from PostgreSQL (0: cache off, or Redis or PostgreSQL had trouble).',
      registers,
      collect: () => cacheTrusted.set(cache.trusted() ? 1 : 0),
    });
    // Counted where the ending committed: every ending goes through SessionRevoker, once, on one instance.
    events.onEndedHere((reason, count) => this.sessionsEnded.inc({ reason }, count));
    const leaseWaits: Counter = new Counter({
      name: 'signoff_revocation_lease_waits_total',
      help: 'Changes announced by this instance (logouts, revocations, rotations) that waited out the 2 s lease because another instance did not acknowledge them: an older version, or a stalled instance.',
      registers,
    });
    events.onLeaseWait(() => leaseWaits.inc());
  }

  /** Whether a scrape with this `Authorization` header may read the metrics (`metrics.token`; any when public). */
  isScrapeAllowed(authorization: string | undefined): boolean {
    return isMetricsScrapeAllowed(this.token, authorization);
  }

  /** Counts a failed job run; `final` once its retries are exhausted. */
  jobFailed(job: string, final: boolean): void {
    this.jobFailures.inc({ job, final: String(final) });
  }

  /** The Prometheus text exposition and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    // Counters other parts of the library (and the host) keep in prom-client's global registry are served too.
    let merged: Registry;
    try {
      merged = this.prom.Registry.merge([this.registry, this.prom.register]);
    } catch (error) {
      this.logger.warn(`Serving only the library's metrics: ${(error as Error).message}`);
      merged = this.registry;
    }
    await Promise.all(this.reads.map((read) => read()));
    return { contentType: this.registry.contentType, body: await merged.metrics() };
  }

  /** Observes one logout request's duration. */
  observeLogout(route: string, status: number, seconds: number): void {
    this.logoutDuration.observe({ route, status: String(status) }, seconds);
  }

  private async refresh(source: string, read: () => Promise<void>): Promise<void> {
    try {
      await withDeadline(read(), SCRAPE_TIMEOUT_MS, () => {
        throw new Error(`timed out after ${SCRAPE_TIMEOUT_MS} ms`);
      });
    } catch (error) {
      this.scrapeErrors.inc({ source });
      this.logger.warn(`Could not read ${source} for /metrics: ${(error as Error).message}`);
    }
  }
}
