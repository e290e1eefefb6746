import { BullModule, getQueueToken, getSharedConfigToken } from '@nestjs/bullmq';
import { type DynamicModule, Inject, type MiddlewareConsumer, Module, type NestModule, type Provider, RequestMethod, type Type } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, RouterModule } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { AUTH_SESSIONS_ENTITIES } from './auth-sessions.entities.js';
import {
  ASYNC_OPTIONS_TYPE,
  AUTH_SESSIONS_MODULE_EXTRAS,
  AUTH_SESSIONS_MODULE_OPTIONS,
  AUTH_SESSIONS_OPTIONS,
  type AuthSessionsModuleExtras,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
  type ResolvedAuthSessionsModuleExtras,
  resolveModuleExtras,
} from './auth-sessions.module-definition.js';
import { resolveAuthSessionsOptions, type ResolvedAuthSessionsOptions } from './auth-sessions.options.js';
import { SingleModuleCheck } from './single-module.check.js';
import { DatabaseOutageLog } from './common/database-outage-log.js';
import { UnguardedRoutesCheck } from './unguarded-routes.check.js';
import { AdminAuditController } from './admin/admin-audit.controller.js';
import { AdminAuditService } from './admin/admin-audit.service.js';
import { AdminGuard } from './admin/admin.guard.js';
import { AdminSessionsController } from './admin/admin-sessions.controller.js';
import { AdminSessionsRepository } from './admin/admin-sessions.repository.js';
import { AdminSessionsService } from './admin/admin-sessions.service.js';
import { AdminUsersService } from './admin/admin-users.service.js';
import { AdminUsersController } from './admin/admin-users.controller.js';
import { AdminOverviewController } from './admin/admin-overview.controller.js';
import { AdminOverviewRepository } from './admin/admin-overview.repository.js';
import { AdminOverviewService } from './admin/admin-overview.service.js';
import { AdminUserController } from './admin/admin-user.controller.js';
import { AdminUserService } from './admin/admin-user.service.js';
import { AuditChainRepository } from './audit/audit-chain.repository.js';
import { AuditEventRepository } from './audit/audit-event.repository.js';
import { AuditLogService } from './audit/audit-log.service.js';
import { AuditRetentionService } from './audit/audit-retention.service.js';
import { AuditSealer } from './audit/audit-sealer.js';
import { SecurityEvents } from './audit/security-events.js';
import { AuthRedis } from './common/auth-redis.js';
import { QueueErrors } from './common/queue-errors.js';
import { assertSupportedDataSource } from './common/auth-tables.js';
import { assertLibraryEntities, LibraryTablesCheck } from './library-schema.check.js';
import { assertQueueConnection } from './jobs/queue-connection.js';
import { DevicesController } from './devices/devices.controller.js';
import { CredentialsController } from './credentials/credentials.controller.js';
import { CredentialsService } from './credentials/credentials.service.js';
import { UserErasureService } from './erasure/user-erasure.service.js';
import { AUTH_DATA_SOURCE } from './common/auth-data-source.js';
import { DevicesService } from './devices/devices.service.js';
import { ForeignSessionReferences } from './devices/foreign-session-references.js';
import { EventStreamsService } from './events/event-streams.service.js';
import { LongLivedConnections } from './events/long-lived-connections.js';
import { EventsController } from './events/events.controller.js';
import { AUTH_SESSIONS_QUEUE } from './jobs/auth-sessions.queue.js';
import { JobScheduler } from './jobs/job-scheduler.js';
import { EpochRevocations } from './jobs/epoch-revocations.js';
import { OutboxRelay } from './jobs/outbox-relay.js';
import { OutboxRepository } from './jobs/outbox.repository.js';
import { RetentionService } from './jobs/retention.service.js';
import { AuthSessionsProcessor } from './jobs/auth-sessions.processor.js';
import { LogoutController } from './logout/logout.controller.js';
import { LogoutService } from './logout/logout.service.js';
import { AuthMetrics } from './metrics/auth-metrics.service.js';
import { LogoutLatencyMiddleware } from './metrics/logout-latency.middleware.js';
import { MetricsEndpoint } from './metrics/metrics-endpoint.js';
import { MetricsRepository } from './metrics/metrics.repository.js';
import { loadPromClient } from './metrics/prom-client.js';
import { Places } from './places/places.service.js';
import { BearerAuthenticator } from './sessions/bearer-authenticator.js';
import { RolesGuard } from './edge/roles.guard.js';
import { MessageHandlersGuard } from './edge/message-handlers.guard.js';
import { ConnectionSessions } from './edge/connection-sessions.js';
import { HttpEdge } from './edge/http-edge.js';
import { LIBRARY_RATE_LIMIT, LibraryRoutesGuard } from './edge/library-routes.guard.js';
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
import { SignInController } from './signin/sign-in.controller.js';
import { SignInService } from './signin/sign-in.service.js';
import { AccessTokenAuthenticator } from './tokens/access-token.authenticator.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { RefreshTokenRepository } from './tokens/refresh-token.repository.js';
import { SecretStore } from './tokens/secret-store.js';
import { TokensController } from './tokens/tokens.controller.js';
import { TokensService } from './tokens/tokens.service.js';
import { AccountThrottle } from './throttling/account-throttle.js';
import { AuthRateLimitGuard } from './throttling/auth-rate-limit.guard.js';
import { SSO_CONTROLLERS, SSO_PROVIDERS } from './sso/sso.registration.js';

/** The routes every host gets: sign-in, tokens, logout, devices, credential changes. */
const CORE_CONTROLLERS: Type<unknown>[] = [SignInController, TokensController, LogoutController, DevicesController, CredentialsController];

/** The controllers the module's `routes` extras select. */
function selectControllers(routes: ResolvedAuthSessionsModuleExtras['routes']): Type<unknown>[] {
  return [
    ...CORE_CONTROLLERS,
    ...(routes.events ? [EventsController] : []),
    ...(routes.admin ? [AdminUsersController, AdminUserController, AdminSessionsController, AdminOverviewController] : []),
    ...(routes.audit ? [AdminAuditController] : []),
    // single sign-on (sso/): its controllers answer 404 while `oidc` is unset
    ...SSO_CONTROLLERS,
  ];
}

/**
 * Adds what the module's extras decide to a `forRoot`/`forRootAsync` definition: the controllers,
 * the path prefix (Nest's `RouterModule`) and the guards (`APP_GUARD` for every route, and
 * `MessageHandlersGuard` on every microservice handler; with
 * `globalGuard: false` none, as the library's controllers bind `LibraryRoutesGuard` themselves, and
 * a start-up check naming host routes whose library decorators no guard reads).
 */
function withExtras(definition: DynamicModule, extras: AuthSessionsModuleExtras): DynamicModule {
  const resolved = resolveModuleExtras(extras);
  const controllers = selectControllers(resolved.routes);
  const guards: Provider[] = resolved.globalGuard
    ? [
        // Registration order is run order: over-the-limit callers are turned away before any session lookup.
        { provide: APP_GUARD, useExisting: AuthRateLimitGuard },
        { provide: APP_GUARD, useExisting: SessionGuard },
        { provide: APP_GUARD, useExisting: RolesGuard },
        // A hybrid app's microservice gets APP_GUARDs only with inheritAppConfig: see MessageHandlersGuard.
        MessageHandlersGuard,
      ]
    : [UnguardedRoutesCheck];
  return {
    ...definition,
    imports: [
      ...(definition.imports ?? []),
      TypeOrmModule.forFeature(AUTH_SESSIONS_ENTITIES, resolved.dataSource),
      DiscoveryModule,
      ...(resolved.routes.prefix ? [RouterModule.register([{ path: resolved.routes.prefix, module: AuthSessionsModule }])] : []),
    ],
    controllers: [...(definition.controllers ?? []), ...controllers],
    providers: [
      ...(definition.providers ?? []),
      { provide: AUTH_SESSIONS_MODULE_EXTRAS, useValue: resolved },
      { provide: AUTH_DATA_SOURCE, useExisting: getDataSourceToken(resolved.dataSource) },
      ...guards,
    ],
  };
}

/**
 * Server-side sessions, the global guard, logout, devices and audit. The host owns the connections
 * (`TypeOrmModule.forRoot` with `AUTH_SESSIONS_ENTITIES`, `BullModule.forRoot`) and supplies its users.
 * Configure it with `forRoot(options)` or `forRootAsync({ useFactory, inject, imports, ...extras })`;
 * `isGlobal`, `globalGuard` and `routes` shape the module itself (see `AuthSessionsModuleExtras`).
 * @see docs/host-guide.md
 */
@Module({
  imports: [
    BullModule.registerQueueAsync({
      name: AUTH_SESSIONS_QUEUE,
      // The host's BullModule.forRoot configuration, merged in by @nestjs/bullmq as registerQueue would;
      // read here only to refuse to start without one (see assertQueueConnection).
      inject: [{ token: getSharedConfigToken(), optional: true }],
      useFactory: (sharedConfig?: { connection?: unknown }) => {
        assertQueueConnection(sharedConfig);
        return {};
      },
    }),
  ],
  providers: [
    { provide: AUTH_SESSIONS_OPTIONS, useFactory: resolveAuthSessionsOptions, inject: [AUTH_SESSIONS_MODULE_OPTIONS] },
    // Listens to the queue's errors as soon as it exists, before the providers that log them are built.
    { provide: QueueErrors, inject: [getQueueToken(AUTH_SESSIONS_QUEUE)], useFactory: (queue: Queue) => new QueueErrors(queue) },
    HttpEdge,
    ConnectionSessions,
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
    SecurityEvents,
    ForeignSessionReferences,
    AccountThrottle,
    SignInService,
    LogoutService,
    DevicesService,
    {
      // Null with `runWorkers: false`: @nestjs/bullmq makes a BullMQ Worker, with its Redis connections,
      // for every provider marked @Processor(), whether or not it ever runs, and closing it waits on Redis.
      provide: AuthSessionsProcessor,
      inject: [
        AUTH_SESSIONS_OPTIONS,
        SessionRevoker,
        AuditSealer,
        AuditRetentionService,
        RetentionService,
        AuthRedis,
        DatabaseOutageLog,
        { token: AuthMetrics, optional: true },
        getQueueToken(AUTH_SESSIONS_QUEUE),
      ],
      useFactory: (
        options: ResolvedAuthSessionsOptions,
        revoker: SessionRevoker,
        auditSealer: AuditSealer,
        auditRetention: AuditRetentionService,
        retention: RetentionService,
        redis: AuthRedis,
        database: DatabaseOutageLog,
        metrics: AuthMetrics | null,
        queue: Queue,
      ): AuthSessionsProcessor | null =>
        options.runWorkers ? new AuthSessionsProcessor(revoker, auditSealer, auditRetention, retention, redis, database, metrics, queue) : null,
    },
    JobScheduler,
    LibraryTablesCheck,
    SingleModuleCheck,
    DatabaseOutageLog,
    OutboxRepository,
    OutboxRelay,
    RetentionService,
    EpochRevocations,
    CredentialsService,
    UserErasureService,
    EventStreamsService,
    LongLivedConnections,
    AuditEventRepository,
    AuditChainRepository,
    AuditSealer,
    AuditRetentionService,
    AdminSessionsRepository,
    AdminSessionsService,
    AdminUsersService,
    AdminAuditService,
    AdminUserService,
    AdminOverviewRepository,
    AdminOverviewService,
    Places,
    AdminGuard,
    MetricsRepository,
    {
      // Null while metrics are off: prom-client (an optional peer dependency) is then never loaded.
      provide: AuthMetrics,
      inject: [AUTH_SESSIONS_OPTIONS, SessionEvents, MetricsRepository, AuditChainRepository, getQueueToken(AUTH_SESSIONS_QUEUE), SessionCache, SecurityEvents],
      useFactory: async (
        options: ResolvedAuthSessionsOptions,
        events: SessionEvents,
        metrics: MetricsRepository,
        chain: AuditChainRepository,
        queue: Queue,
        cache: SessionCache,
        securityEvents: SecurityEvents,
      ): Promise<AuthMetrics | null> =>
        options.metrics
          ? new AuthMetrics(
              await loadPromClient(),
              options.metrics.token,
              events,
              metrics,
              chain,
              queue,
              {
                entries: () => cache.size,
                trusted: () => cache.serving,
              },
              securityEvents,
            )
          : null,
    },
    MetricsEndpoint,
    // single sign-on (sso/)
    ...SSO_PROVIDERS,
    AuthRateLimitGuard,
    SessionGuard,
    RolesGuard,
    { provide: LIBRARY_RATE_LIMIT, useExisting: AuthRateLimitGuard },
    LibraryRoutesGuard,
  ],
  exports: [
    AUTH_SESSIONS_OPTIONS,
    SignInService,
    LogoutService,
    DevicesService,
    CredentialsService,
    UserErasureService,
    StoreUnavailableInterceptor,
    ConnectionSessions,
    LongLivedConnections,
    // What @UseGuards(SessionGuard, RolesGuard, AuthRateLimitGuard) needs in a host module (globalGuard: false).
    SessionGuard,
    RolesGuard,
    AuthRateLimitGuard,
    SecurityEvents,
    SessionsService,
    SessionCookies,
    BearerAuthenticator,
    HttpEdge,
    AuthRedis,
  ],
})
export class AuthSessionsModule extends ConfigurableModuleClass implements NestModule {
  constructor(
    @Inject(AUTH_SESSIONS_MODULE_EXTRAS) private readonly extras: ResolvedAuthSessionsModuleExtras,
    @Inject(AUTH_DATA_SOURCE) dataSource: DataSource,
  ) {
    super();
    // What a host can get wrong in its own setup is refused here, saying what to add, rather than
    // found at the first sign-in (a 500) or by jobs that land where no worker looks.
    assertSupportedDataSource(dataSource);
    assertLibraryEntities(dataSource);
  }

  /** `forRoot` with the options, and the module extras (`isGlobal`, `globalGuard`, `routes`) beside them. */
  static override forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return withExtras(super.forRoot(options), options);
  }

  /** `forRootAsync` with `useFactory`/`useClass`/`useExisting`, and the module extras beside them. */
  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withExtras(super.forRootAsync(options), options);
  }

  configure(consumer: MiddlewareConsumer): void {
    // Middleware paths are not prefixed by RouterModule: add the library's prefix here.
    const base = this.extras.routes.prefix ? `${this.extras.routes.prefix}/` : '';
    consumer
      .apply(LogoutLatencyMiddleware)
      .forRoutes({ path: `${base}auth/logout`, method: RequestMethod.POST }, { path: `${base}auth/logout-all`, method: RequestMethod.POST });
  }
}
