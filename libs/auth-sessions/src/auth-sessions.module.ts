import { BullModule } from '@nestjs/bullmq';
import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUTH_SESSIONS_ENTITIES } from './auth-sessions.entities.js';
import { AUTH_SESSIONS_MODULE_OPTIONS, AUTH_SESSIONS_OPTIONS, ConfigurableModuleClass } from './auth-sessions.module-definition.js';
import { resolveAuthSessionsOptions } from './auth-sessions.options.js';
import { AdminAuditController } from './admin/admin-audit.controller.js';
import { AdminAuditService } from './admin/admin-audit.service.js';
import { AdminGuard } from './admin/admin.guard.js';
import { AdminSessionsController } from './admin/admin-sessions.controller.js';
import { AdminSessionsRepository } from './admin/admin-sessions.repository.js';
import { AdminSessionsService } from './admin/admin-sessions.service.js';
import { AdminUsersService } from './admin/admin-users.service.js';
import { AdminUsersController } from './admin/admin-users.controller.js';
import { AuditChainRepository } from './audit/audit-chain.repository.js';
import { AuditEventRepository } from './audit/audit-event.repository.js';
import { AuditLogService } from './audit/audit-log.service.js';
import { AuditRetentionService } from './audit/audit-retention.service.js';
import { AuditSealer } from './audit/audit-sealer.js';
import { AuthRedis } from './common/auth-redis.js';
import { DevicesController } from './devices/devices.controller.js';
import { CredentialsController } from './credentials/credentials.controller.js';
import { CredentialsService } from './credentials/credentials.service.js';
import { DevicesService } from './devices/devices.service.js';
import { EventStreamsService } from './events/event-streams.service.js';
import { EventsController } from './events/events.controller.js';
import { AUTH_SESSIONS_QUEUE } from './jobs/auth-sessions.queue.js';
import { JobScheduler } from './jobs/job-scheduler.js';
import { OutboxRelay } from './jobs/outbox-relay.js';
import { OutboxRepository } from './jobs/outbox.repository.js';
import { AuthSessionsProcessor } from './jobs/auth-sessions.processor.js';
import { LogoutController } from './logout/logout.controller.js';
import { LogoutService } from './logout/logout.service.js';
import { AuthMetrics } from './metrics/auth-metrics.service.js';
import { LogoutLatencyMiddleware } from './metrics/logout-latency.middleware.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsRepository } from './metrics/metrics.repository.js';
import { BearerAuthenticator } from './sessions/bearer-authenticator.js';
import { RolesGuard } from './edge/roles.guard.js';
import { HttpEdge } from './edge/http-edge.js';
import { SessionCookies } from './edge/session-cookies.js';
import { SessionGuard } from './edge/session.guard.js';
import { SessionResponses } from './edge/session-responses.js';
import { StoreUnavailableInterceptor } from './edge/store-unavailable.interceptor.js';
import { SessionBus } from './sessions/session-bus.js';
import { SessionCache } from './sessions/session-cache.js';
import { SessionEvents } from './sessions/session-events.js';
import { SessionRepository } from './sessions/session.repository.js';
import { SessionRevoker } from './sessions/session-revoker.js';
import { SessionsService } from './sessions/sessions.service.js';
import { LocalStrategy } from './signin/local.strategy.js';
import { SignInController } from './signin/sign-in.controller.js';
import { SignInService } from './signin/sign-in.service.js';
import { AccessTokenAuthenticator } from './tokens/access-token.authenticator.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { RefreshTokenRepository } from './tokens/refresh-token.repository.js';
import { SecretStore } from './tokens/secret-store.js';
import { TokensController } from './tokens/tokens.controller.js';
import { TokensService } from './tokens/tokens.service.js';
import { SSO_CONTROLLERS, SSO_PROVIDERS } from './sso/sso.registration.js';

/**
 * Server-side sessions, the global guard, logout, devices and audit. The host owns the connections
 * (`TypeOrmModule.forRoot` with `AUTH_SESSIONS_ENTITIES`, `BullModule.forRoot`) and supplies its users.
 * @see README.md "Import the module into your own Nest app"
 */
@Module({
  imports: [
    TypeOrmModule.forFeature(AUTH_SESSIONS_ENTITIES),
    PassportModule,
    BullModule.registerQueue({ name: AUTH_SESSIONS_QUEUE }),
  ],
  controllers: [SignInController, TokensController, LogoutController, DevicesController, CredentialsController, EventsController,
    AdminUsersController, AdminSessionsController, AdminAuditController, MetricsController,
    // single sign-on (sso/)
    ...SSO_CONTROLLERS],
  providers: [
    { provide: AUTH_SESSIONS_OPTIONS, useFactory: resolveAuthSessionsOptions, inject: [AUTH_SESSIONS_MODULE_OPTIONS] },
    HttpEdge,
    SessionCookies,
    SessionResponses,
    StoreUnavailableInterceptor,
    AuthRedis,
    SessionBus,
    SessionCache,
    SessionRepository,
    SessionsService,
    SessionRevoker,
    SecretStore,
    AccessTokenService,
    RefreshTokenRepository,
    TokensService,
    { provide: BearerAuthenticator, useClass: AccessTokenAuthenticator },
    SessionEvents,
    AuditLogService,
    SignInService,
    LocalStrategy,
    LogoutService,
    DevicesService,
    AuthSessionsProcessor,
    JobScheduler,
    OutboxRepository,
    OutboxRelay,
    CredentialsService,
    EventStreamsService,
    AuditEventRepository,
    AuditChainRepository,
    AuditSealer,
    AuditRetentionService,
    AdminSessionsRepository,
    AdminSessionsService,
    AdminUsersService,
    AdminAuditService,
    AdminGuard,
    MetricsRepository,
    AuthMetrics,
    { provide: APP_GUARD, useClass: SessionGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    // single sign-on (sso/)
    ...SSO_PROVIDERS,
  ],
  exports: [AUTH_SESSIONS_OPTIONS, SignInService, LogoutService, DevicesService, CredentialsService, StoreUnavailableInterceptor],
})
export class AuthSessionsModule extends ConfigurableModuleClass implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(LogoutLatencyMiddleware)
      .forRoutes({ path: 'auth/logout', method: RequestMethod.POST }, { path: 'auth/logout-all', method: RequestMethod.POST });
  }
}
