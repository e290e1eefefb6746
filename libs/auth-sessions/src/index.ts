// Module and options
export { AuthSessionsModule } from './auth-sessions.module.js';
export { AUTH_SESSIONS_OPTIONS } from './auth-sessions.module-definition.js';
export type {
  AuthSessionsOptions,
  AccessTokenOptions,
  CredentialChangeKind,
  CredentialChangePolicy,
  ResolvedAuthSessionsOptions,
  SessionLifetime,
} from './auth-sessions.options.js';
export { AUTH_SESSIONS_ENTITIES } from './auth-sessions.entities.js';
export { AUTH_SESSIONS_MIGRATIONS } from './migrations/index.js';
export { RATE_LIMITED_METADATA } from './auth-sessions.constants.js';

// Users
export type { AuthUsersProvider, SignoffUser, SignoffUserPage } from './users/users-provider.js';
export { EmailTakenError } from './users/users-provider.js';

// Sessions
export { Session, type SessionKind } from './sessions/session.entity.js';
export { UserSessionState } from './sessions/user-session-state.entity.js';
export { SESSION_END_REASONS, type SessionEndReason } from './sessions/session-end-reason.js';
export { SessionsService } from './sessions/sessions.service.js';
export { SessionGuard } from './sessions/session.guard.js';
export { RolesGuard } from './sessions/roles.guard.js';
export {
  Public,
  Roles,
  RateLimited,
  RequireSameOrigin,
  CsrfExempt,
  NotActivity,
  CurrentSession,
  CurrentUser,
  CurrentAuth,
} from './sessions/session.decorators.js';
export type { RequestAuth, AuthenticatedRequest } from './sessions/request-auth.js';
export {
  SessionRejectedError,
  ReauthRequiredError,
  InvalidPasswordError,
  CrossSiteRequestError,
  StoreUnavailableError,
  type UnauthenticatedCode,
} from './sessions/session.errors.js';
export { isStoreUnavailableError } from './common/store-unavailable.js';
export { clientContextOf, type ClientContext } from './common/client-context.js';

// Sign-in
export { SignInService, type SignInResult, type FreshSessionResult } from './signin/sign-in.service.js';
export { LocalAuthGuard } from './signin/local-auth.guard.js';

// Tokens
export { TokensService, type TokenPair } from './tokens/tokens.service.js';
export { RefreshToken } from './tokens/refresh-token.entity.js';

// Credential changes
export { CredentialsService, type CredentialChangeReceipt, type CredentialChangeResult } from './credentials/credentials.service.js';

// Logout
export { LogoutService, type RevocationResult } from './logout/logout.service.js';

// Devices
export { DevicesService } from './devices/devices.service.js';
export type { SessionResponse } from './devices/session.response.js';
export type { SessionShape, SessionListShape, RevokedCountShape } from './devices/session.shape.js';

// Places
export { type PlaceLookup, LOCAL_NETWORK_PLACE } from './places/place-lookup.js';
export { MmdbPlaceLookup, type MmdbPlaceFiles } from './places/mmdb-place-lookup.js';

// Audit
export { AuditEvent } from './audit/audit-event.entity.js';
export { AUDIT_EVENT_TYPES, type AuditEventType } from './audit/audit-event-type.js';
export { AuditSeal } from './audit/audit-seal.entity.js';
export { AuditCheckpoint } from './audit/audit-checkpoint.entity.js';
export type { AuditEventResponse } from './audit/audit-event.response.js';
export type { AuditEventShape, AuditPageShape } from './audit/audit-event.shape.js';
export { verifyAuditChain, type AuditChainReport } from './audit/audit-verify.js';
export type { ChainProblem } from './audit/audit-chain.js';

// Admin
export {
  AdminSessionsService,
  type AdminUsersPage,
  type AdminUserSummary,
  type FilterRevocationResult,
} from './admin/admin-sessions.service.js';
export type { RevokeFilterInput } from './admin/revoke-filter.js';
export type { AdminUserShape, AdminUsersPageShape } from './admin/admin-user.shape.js';
export type { AdminOverviewShape, OverviewRevocationShape } from './admin/admin-overview.shape.js';
