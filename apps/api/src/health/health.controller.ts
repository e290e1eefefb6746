import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiErrors, Public } from '@signoff/auth-sessions';
import { RedisHealthIndicator } from './redis.health.js';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @ApiOperation({ summary: '200 when PostgreSQL and Redis answer, else 503.' })
  // Like every route, health reads the session cookies first (it is public, so a bad one does not matter).
  @ApiErrors(400)
  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.postgres.pingCheck('postgres', { timeout: 1000 }), () => this.redis.isHealthy('redis')]);
  }
}
