import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthSessionsModule } from '@signoff/auth-sessions';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { ConsoleModule } from './console/console.module.js';
import { HealthModule } from './health/health.module.js';
import { requestIdOf } from './http/request-id.js';
import { dataSourceOptions } from './infrastructure/data-source-options.js';
import { AppRedis, RedisModule } from './infrastructure/redis.module.js';
import { AuthThrottlerGuard } from './throttling/auth-throttler.guard.js';
import { ResilientThrottlerStorage } from './throttling/resilient-throttler.storage.js';
import { UsersModule } from './users/users.module.js';
import { UsersService } from './users/users.service.js';

/** The demo app: its users, the Signoff library, health and rate limits. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig & { databaseUrl: string; redisUrl: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const id = requestIdOf(req);
              res.setHeader('X-Request-Id', id);
              return id;
            },
            // Tokens never reach a log line: cookies, bearer tokens and XSRF values are redacted.
            redact: {
              paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-xsrf-token"]', 'res.headers["set-cookie"]'],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (req: IncomingMessage) => req.url === '/api/health' },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)),
        BullModule.forRoot({ connection: { url: config.redisUrl }, prefix: `${config.redisPrefix}:bull` }),
        RedisModule,
        ThrottlerModule.forRootAsync({
          inject: [AppRedis],
          useFactory: (redis: AppRedis) => ({
            // Named 'default' so the 429 carries a plain Retry-After header (other names get a suffix).
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.authRateLimit }],
            skipIf: () => config.authRateLimit === 0,
            storage: new ResilientThrottlerStorage(redis.client, redis.prefix),
          }),
        }),
        UsersModule,
        AuthSessionsModule.forRootAsync({
          imports: [UsersModule],
          inject: [UsersService, ConfigService],
          useFactory: (users: UsersService, settings: ConfigService) => ({
            users,
            publicOrigin: settings.getOrThrow<string>('publicOrigin'),
            redis: { url: config.redisUrl, prefix: config.redisPrefix },
            cookieSecure: settings.getOrThrow<boolean>('cookieSecure'),
            session: { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds },
            rememberMe: { idleSeconds: config.rememberMeIdleSeconds, absoluteSeconds: config.rememberMeAbsoluteSeconds },
            freshAgeSeconds: config.freshAgeSeconds,
            expirySweepEveryMs: config.sessionSweepMs,
            accessTokens: { ...(config.jwtSecret ? { secret: config.jwtSecret } : {}), ttlSeconds: config.accessTokenSeconds },
            refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
            runWorkers: config.runWorkers,
            eventsHeartbeatMs: config.eventsHeartbeatMs,
            jobs: { batchSize: config.jobBatchSize, lockDurationMs: config.jobLockDurationMs, stalledIntervalMs: config.jobStalledIntervalMs },
            sessionCache: config.sessionCache,
            ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
            ...(config.oidc ? { oidc: config.oidc } : {}),
          }),
        }),
        HealthModule,
        ConsoleModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: AuthThrottlerGuard }],
    };
  }
}
