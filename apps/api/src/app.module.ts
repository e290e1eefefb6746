import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthSessionsModule } from '@signoff/auth-sessions';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { ConsoleModule } from './console/console.module.js';
import { HealthModule } from './health/health.module.js';
import { dbipCityPlaces } from './places/dbip-places.js';
import { dataSourceOptions } from './infrastructure/data-source-options.js';
import { bullConnectionOptions } from './infrastructure/redis-options.js';
import { httpLogging } from './infrastructure/logging.js';
import { RedisModule } from './infrastructure/redis.module.js';
import { UsersModule } from './users/users.module.js';
import { UsersService } from './users/users.service.js';

/** The demo app: its users, the Signoff library (with its rate limits and metrics), health and the console. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig & { databaseUrl: string; redisUrl: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        LoggerModule.forRoot({ pinoHttp: httpLogging(config) }),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)),
        // The same Redis as everything else, Sentinel included (REDIS_URL=redis+sentinel://…).
        BullModule.forRoot({ connection: bullConnectionOptions(config.redisUrl), prefix: `${config.redisPrefix}:bull` }),
        RedisModule,
        UsersModule,
        AuthSessionsModule.forRootAsync({
          // The demo's own routes (register) bind the library's StoreUnavailableInterceptor, which needs what the
          // module exports; UsersModule cannot import the module that imports it.
          isGlobal: true,
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
            places: dbipCityPlaces(),
            // The contract serves /metrics openly unless METRICS_TOKEN is set (the library's default is off).
            metrics: config.metricsToken ? { token: config.metricsToken } : { public: true },
            // AUTH_RATE_LIMIT per client IP per minute on each @RateLimited() route (the demo's register too); 0 turns it off.
            rateLimit: config.authRateLimit === 0 ? false : { limit: config.authRateLimit, windowSeconds: 60 },
            ...(config.oidc ? { oidc: config.oidc } : {}),
          }),
        }),
        HealthModule,
        ConsoleModule,
      ],
    };
  }
}
