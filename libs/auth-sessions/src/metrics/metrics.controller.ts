import { Controller, Get, HttpStatus, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { Public } from '../edge/auth.decorators.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { AuthMetrics } from './auth-metrics.service.js';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: AuthMetrics,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({ summary: 'Prometheus metrics. With `metricsToken` (METRICS_TOKEN) set, needs `Authorization: Bearer <token>`.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format.', schema: { type: 'string', example: 'signoff_active_sessions 42\n' } })
  @ApiErrors(400, [401, 'A metrics token is configured and the request did not carry it.'], 503)
  @Public()
  @Get()
  async scrape(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    if (!this.metrics.isScrapeAllowed(this.edge.header(req, 'authorization'))) {
      this.edge.setHeader(res, 'WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedException({
        statusCode: HttpStatus.UNAUTHORIZED,
        message: 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.',
        code: 'unauthenticated',
      });
    }
    const { contentType, body } = await this.metrics.render();
    this.edge.setHeader(res, 'Cache-Control', 'no-store');
    this.edge.setHeader(res, 'Content-Type', contentType);
    this.edge.reply(res, body, 200);
  }
}
