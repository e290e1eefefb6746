import { Controller, Get, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiResponse, type ApiResponseSchemaHost, ApiTags, getSchemaPath } from '@nestjs/swagger';

type SchemaObject = ApiResponseSchemaHost['schema'];
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiErrors, ErrorResponseDto, InputValidationPipe, Public } from '@signoff/auth-sessions';
import { RedisHealthIndicator } from './redis.health.js';

const INDICATORS: SchemaObject = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'degraded', 'down'] } },
    additionalProperties: true,
  },
};
// @nestjs/terminus's own report schemas (the package does not export them, and merges its 503 into ours).
const healthReport = (statuses: string[]): SchemaObject => ({
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: statuses },
    info: { ...INDICATORS, nullable: true },
    error: { ...INDICATORS, nullable: true },
    details: INDICATORS,
  },
});

/** Health takes no query parameters: any is a 400 (`property x should not exist`), as on every other GET route. */
class HealthQuery {}
const healthQueryPipe = new InputValidationPipe();

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @ApiOperation({ summary: '200 when PostgreSQL and Redis answer, else 503.' })
  // Like every route, health reads the session cookies first: too many is a 400, and a valid one is checked
  // against PostgreSQL, so with PostgreSQL down a request with a cookie gets the library's 503, not the report.
  // A query parameter is a 400 too.
  @ApiErrors(400)
  @ApiExtraModels(ErrorResponseDto)
  @ApiResponse({ status: 200, description: 'PostgreSQL and Redis answer.', content: { 'application/json': { schema: healthReport(['ok']) } } })
  @ApiResponse({
    status: 503,
    description: 'PostgreSQL or Redis does not answer: the health report, or (for a request with a session cookie) the generic store error.',
    content: { 'application/json': { schema: { oneOf: [healthReport(['error', 'shutting_down']), { $ref: getSchemaPath(ErrorResponseDto) }] } } },
  })
  @Public()
  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  check(@Query(healthQueryPipe) _query: HealthQuery) {
    return this.health.check([() => this.postgres.pingCheck('postgres', { timeout: 1000 }), () => this.redis.isHealthy('redis')]);
  }
}
