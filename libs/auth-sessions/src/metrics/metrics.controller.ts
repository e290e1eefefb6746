import { Controller, Get, HttpStatus, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../sessions/session.decorators.js';
import { AuthMetrics } from './auth-metrics.service.js';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: AuthMetrics) {}

  @ApiOperation({ summary: 'Prometheus metrics. With `metricsToken` (METRICS_TOKEN) set, needs `Authorization: Bearer <token>`.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format.', schema: { type: 'string', example: 'signoff_active_sessions 42\n' } })
  @ApiUnauthorizedResponse({ description: 'A metrics token is configured and the request did not carry it.' })
  @Public()
  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.metrics.isScrapeAllowed(req.get('authorization'))) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedException({
        statusCode: HttpStatus.UNAUTHORIZED,
        message: 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.',
        code: 'unauthenticated',
      });
    }
    const { contentType, body } = await this.metrics.render();
    res.setHeader('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  }
}
