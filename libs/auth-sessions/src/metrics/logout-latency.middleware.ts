import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AuthMetrics } from './auth-metrics.service.js';

/** Times logout requests from arrival to the last byte of the answer, into the logout histogram. */
@Injectable()
export class LogoutLatencyMiddleware implements NestMiddleware {
  constructor(private readonly metrics: AuthMetrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    // The route label is the path without the host's prefix, so it stays a small fixed set.
    const route = req.path.endsWith('/logout-all') ? 'logout-all' : 'logout';
    res.once('finish', () => {
      this.metrics.observeLogout(route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  }
}
