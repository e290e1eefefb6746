/** Metadata key set by `@Public()`. */
export const PUBLIC_ROUTE_METADATA = 'auth-sessions:public';
/** Metadata key set by `@Roles()`. */
export const ROLES_METADATA = 'auth-sessions:roles';
/** Metadata key set by `@RateLimited()`; the host's throttler guard limits only these routes. */
export const RATE_LIMITED_METADATA = 'auth-sessions:rate-limited';
