import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { AuthMetrics } from './auth-metrics.service.js';

/**
 * Serves `GET <metrics.path>` (default `/metrics`) when metrics are on. The route is registered on
 * the HTTP adapter itself rather than as a controller: the host's global prefix (`/api`) does not
 * apply to it, it can be switched on at run time by the options factory (a token from the host's
 * config), and a worker process without HTTP serves nothing.
 */
@Injectable()
export class MetricsEndpoint implements OnModuleInit {
  private readonly logger = new Logger('AuthSessions');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly edge: HttpEdge,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    @Optional() @Inject(AuthMetrics) private readonly metrics: AuthMetrics | null,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    const settings = this.options.metrics;
    if (!adapter || !settings || !this.metrics) return;
    adapter.get(settings.path, (req: HttpRequest, res: HttpResponse) => {
      void this.scrape(req, res).catch((error: unknown) => {
        this.logger.error(`Metrics scrape failed: ${(error as Error).message}`);
        if (!this.edge.isHeadersSent(res)) this.edge.reply(res, { statusCode: 500, message: 'Metrics are unavailable.' }, 500);
      });
    });
  }

  private async scrape(req: HttpRequest, res: HttpResponse): Promise<void> {
    const metrics = this.metrics!;
    this.edge.setHeader(res, 'Cache-Control', 'no-store');
    const authorization = this.edge.header(req, 'authorization');
    // Node keeps the first of two Authorization lines and drops the other unseen: ambiguous, so refused.
    const repeated = authorization !== undefined && this.edge.isHeaderRepeated(req, 'authorization');
    if (repeated || !metrics.isScrapeAllowed(authorization)) {
      this.edge.setHeader(res, 'WWW-Authenticate', 'Bearer realm="metrics"');
      this.edge.reply(res, { statusCode: 401, message: 'Send the metrics token as Authorization: Bearer <token>.', code: 'unauthenticated' }, 401);
      return;
    }
    const { contentType, body } = await metrics.render();
    this.edge.setHeader(res, 'Content-Type', contentType);
    this.edge.reply(res, body, 200);
  }
}
