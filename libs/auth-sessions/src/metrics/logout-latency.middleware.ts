import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type NestMiddleware, Optional } from '@nestjs/common';
import { AuthMetrics } from './auth-metrics.service.js';

/**
 * Times logout requests from arrival to the last byte of the answer, into the logout histogram
 * (a no-op while metrics are off). Nest hands middleware Node's own request and response on both
 * HTTP adapters, so only those are used.
 */
@Injectable()
export class LogoutLatencyMiddleware implements NestMiddleware {
  constructor(@Optional() @Inject(AuthMetrics) private readonly metrics: AuthMetrics | null) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const metrics = this.metrics;
    if (!metrics) return next();
    const started = process.hrtime.bigint();
    // The route label is the path without the host's prefixes, so it stays a small fixed set.
    const path = (req.url ?? '').split('?')[0] ?? '';
    const route = path.endsWith('/logout-all') ? 'logout-all' : 'logout';
    res.once('finish', () => {
      metrics.observeLogout(route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  }
}
