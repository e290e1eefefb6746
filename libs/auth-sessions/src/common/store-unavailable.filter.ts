import { type ArgumentsHost, Catch, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { isStoreUnavailableError } from './store-unavailable.js';

/**
 * Answers 503 when PostgreSQL or Redis is down, with a generic body (no driver message, SQL or
 * stack), and leaves every other error to Nest's default handling.
 */
@Catch()
export class StoreUnavailableFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('AuthSessions');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || !isStoreUnavailableError(exception)) {
      super.catch(exception, host);
      return;
    }
    this.logger.warn(`Dependency unavailable: ${(exception as Error).message}`);
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    res.setHeader('Cache-Control', 'no-store');
    res.status(HttpStatus.SERVICE_UNAVAILABLE).json({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      message: 'A required service is unavailable; nothing was changed. Try again shortly.',
      code: 'service_unavailable',
    });
  }
}
