import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUTH_SESSIONS_ENTITIES, AUTH_SESSIONS_MIGRATIONS, AuthSessionsModule } from '@signoff/auth-sessions';
import { EmptyGuard, JwtGuard, JwtStrategy, StoreSessionGuard } from './guards.js';
import { HandlerController } from './handler.controller.js';
import { GuardCostController } from './guard-cost.controller.js';
import { HeapController } from './heap.controller.js';
import { StoreSessionController } from './store-session.controller.js';
import { BenchUsers } from './users.js';

/** What a variant guards the handler with. */
export type BenchVariant = 'none' | 'empty' | 'jwt' | 'signoff' | 'store';

export interface BenchHostConfig {
  variant: BenchVariant;
  publicOrigin: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  /** Signoff's instance session cache (on by default, as in production). */
  sessionCache: boolean;
}

/**
 * A small host app for the guard comparison: the same handler behind each variant, one variant
 * per process, importing Signoff only through its package entry like any host would.
 */
@Module({})
export class HostModule {
  static forVariant(config: BenchHostConfig): DynamicModule {
    switch (config.variant) {
      case 'none':
        return { module: HostModule, controllers: [HandlerController] };
      case 'empty':
        return { module: HostModule, controllers: [HandlerController], providers: [{ provide: APP_GUARD, useClass: EmptyGuard }] };
      case 'jwt':
        return {
          module: HostModule,
          imports: [PassportModule],
          controllers: [HandlerController],
          providers: [JwtStrategy, { provide: APP_GUARD, useClass: JwtGuard }],
        };
      case 'store':
        return {
          module: HostModule,
          controllers: [HandlerController, StoreSessionController],
          providers: [{ provide: APP_GUARD, useClass: StoreSessionGuard }],
        };
      case 'signoff':
        return {
          module: HostModule,
          imports: [
            TypeOrmModule.forRoot({
              type: 'postgres',
              url: config.databaseUrl,
              entities: [...AUTH_SESSIONS_ENTITIES],
              migrations: [...AUTH_SESSIONS_MIGRATIONS],
              migrationsRun: true,
              migrationsTransactionMode: 'each',
              extra: { max: 20 },
            }),
            BullModule.forRoot({ connection: { url: config.redisUrl }, prefix: `${config.redisPrefix}:bull` }),
            AuthSessionsModule.forRoot({
              users: new BenchUsers(),
              publicOrigin: config.publicOrigin,
              redis: { url: config.redisUrl, prefix: config.redisPrefix },
              accessTokens: { secret: config.jwtSecret },
              runWorkers: false,
              sessionCache: config.sessionCache,
              globalGuard: process.env['BENCH_GLOBAL_GUARD'] !== 'false',
              // The memory bench reads how many sessions the cache holds.
              ...(process.env['BENCH_METRICS_TOKEN'] ? { metrics: { token: process.env['BENCH_METRICS_TOKEN'] } } : {}),
            }),
          ],
          controllers: [HandlerController, HeapController, GuardCostController],
        };
    }
  }
}
