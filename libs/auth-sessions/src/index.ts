// The public entry of @signoff/auth-sessions. Every export here is documented and meant to be used by
// host apps; anything else is internal. A change to this list shows in review (index.api.spec.ts).

// Module and options
export { AuthSessionsModule } from './auth-sessions.module.js';
export { AUTH_SESSIONS_OPTIONS, type AuthSessionsModuleExtras, type AuthSessionsRoutes } from './auth-sessions.module-definition.js';
export type {
  AuthSessionsOptions,
  AccessTokenOptions,
  CredentialChangeKind,
  CredentialChangePolicy,
  MetricsOptions,
  RateLimitOptions,
  AccountRateLimitOptions,
  ResolvedAuthSessionsOptions,
  SessionLifetime,
} from './auth-sessions.options.js';
export { AUTH_SESSIONS_ENTITIES } from './auth-sessions.entities.js';
export { AUTH_SESSIONS_MIGRATIONS } from './migrations/index.js';
export { RATE_LIMITED_METADATA } from './auth-sessions.constants.js';
export type { OidcOptions, OidcProviderOptions } from './sso/oidc.options.js';

// Redis: one server or Sentinel (docs/redis.md)
export {
  resolveRedisConnection,
  redisOptionsFromUrl,
  RedisConnectionError,
  type RedisConnection,
  type RedisUrlConnection,
  type RedisSentinelConnection,
  type ResolvedRedisConnection,
} from './common/redis-connection.js';
export { RedisOutageLog, type WatchableRedisClient } from './common/redis-outage-log.js';

// Users
export type { AuthUsersProvider, SignoffUser, SignoffUserPage, SsoIdentity } from './users/users-provider.js';
export { EmailTakenError } from './users/users-provider.js';
export { normalizeEmail, emailLookAlikeProblem, IsUnambiguousEmail } from './users/email.js';

// Guards, decorators and the request's auth
export { SessionGuard } from './edge/session.guard.js';
export { RolesGuard } from './edge/roles.guard.js';
export { Public, Roles, RateLimited, RequireSameOrigin, CsrfExempt, NotActivity, CurrentSession, CurrentUser, CurrentAuth } from './edge/auth.decorators.js';
export type { AuthenticatedRequest } from './edge/execution-target.js';
export type { RequestAuth } from './sessions/request-auth.js';
export { StoreUnavailableInterceptor } from './edge/store-unavailable.interceptor.js';
export { isSignoffRoute } from './edge/library-routes.guard.js';
export { withErrorExtensions, type SignoffErrorExtensions } from './edge/error-extensions.js';
export type { SignoffWsError } from './edge/transport-errors.js';

// WebSocket gateways and GraphQL subscriptions (duck-typed: no WebSocket or GraphQL package is imported)
export { CONNECTION_AUTH, type AuthenticatedConnection } from './edge/execution-target.js';
export {
  ConnectionSessions,
  SESSION_ENDED_CLOSE_CODE,
  SESSION_ENDED_EVENT,
  FORBIDDEN_CLOSE_CODE,
  TRY_AGAIN_LATER_CLOSE_CODE,
  SHUTDOWN_CLOSE_CODE,
  type HandshakeRequest,
  type HandshakeCredentials,
  type ConnectionCloser,
} from './edge/connection-sessions.js';
export {
  graphqlWsSubscriptionHooks,
  mercuriusSubscriptionHooks,
  type GraphqlWsConnectContext,
  type GraphqlWsSubscriptionHooks,
  type MercuriusSubscriptionConnection,
  type MercuriusSubscriptionHooks,
} from './edge/subscription-hooks.js';
export { LongLivedConnections, apolloShutdownPlugin, type ApolloShutdownPlugin } from './events/long-lived-connections.js';

// Rate limits
export { AuthRateLimitGuard } from './throttling/auth-rate-limit.guard.js';
export type { RateLimitRecord, RateLimitStorage } from './throttling/rate-limit-storage.js';

// Input validation and the error document
export { InputValidationPipe, Omittable } from './common/validation.js';
export { ApiErrors, type ErrorStatus } from './common/api-errors.js';
export { ErrorResponseDto } from './common/dto/api.responses.js';

// Sessions
export type { Session, SessionKind } from './sessions/session.entity.js';
export { SESSION_END_REASONS, type SessionEndReason } from './common/session-end-reason.js';
export {
  SessionRejectedError,
  ReauthRequiredError,
  InvalidPasswordError,
  CrossSiteRequestError,
  StoreUnavailableError,
  TooManyAttemptsError,
  type UnauthenticatedCode,
} from './sessions/session.errors.js';
export { isStoreUnavailableError } from './common/store-unavailable.js';
export type { ClientContext } from './common/client-context.js';

// Sign-in
export {
  SignInService,
  type SignInResult,
  type SignInOptions,
  type FreshSessionResult,
  type TokenSignInResult,
  type VerifiedCredentials,
} from './signin/sign-in.service.js';
export { LocalAuthGuard } from './signin/local-auth.guard.js';
export type { TokenPair } from './tokens/tokens.service.js';

// Credential changes
export { CredentialsService, type CredentialChangeReceipt, type CredentialChangeResult } from './credentials/credentials.service.js';
export { CredentialUnchangedError, type CredentialUnchangedCode } from './credentials/credentials.errors.js';

// Erasure of a deleted user's session data
export { UserErasureService, type UserErasureCounts, type UserErasureOptions, type UserErasureReceipt } from './erasure/user-erasure.service.js';

// Logout
export { LogoutService } from './logout/logout.service.js';
export type { RevocationResult } from './sessions/session-revoker.js';

// Devices
export { DevicesService } from './devices/devices.service.js';
export type { SessionResponse } from './devices/session.response.js';
export type { SessionShape, SessionListShape, RevokedCountShape } from './devices/session.shape.js';

// Places
export { type PlaceLookup, LOCAL_NETWORK_PLACE } from './places/place-lookup.js';
export { MmdbPlaceLookup, type MmdbPlaceFiles } from './places/mmdb-place-lookup.js';

// Audit
export { AUDIT_EVENT_TYPES, type AuditEventType } from './audit/audit-event-type.js';
export type { AuditEventResponse } from './audit/audit-event.response.js';
export type { AuditEventShape, AuditPageShape } from './audit/audit-event.shape.js';
export { verifyAuditChain, type AuditChainReport } from './audit/audit-verify.js';
export type { ChainProblem } from './audit/audit-chain.js';

// Admin (the shapes of the admin API's answers)
export type { AdminUserShape, AdminUsersPageShape } from './admin/admin-user.shape.js';
export type { AdminOverviewShape, OverviewRevocationShape } from './admin/admin-overview.shape.js';
