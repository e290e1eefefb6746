/** Metadata key set by `@Public()`. */
export const PUBLIC_ROUTE_METADATA = 'auth-sessions:public';
/** Metadata key set by `@Roles()`. */
export const ROLES_METADATA = 'auth-sessions:roles';
/** Metadata key set by `@RateLimited()`; the library's `AuthRateLimitGuard` limits only these routes. */
export const RATE_LIMITED_METADATA = 'auth-sessions:rate-limited';
/** Metadata key set by `@RequireSameOrigin()`. */
export const SAME_ORIGIN_METADATA = 'auth-sessions:same-origin';
/** Metadata key set by `@NotActivity()`. */
export const NOT_ACTIVITY_METADATA = 'auth-sessions:not-activity';
/** Metadata key set by `@CsrfExempt()`. */
export const CSRF_EXEMPT_METADATA = 'auth-sessions:csrf-exempt';
/** The name of the library's BullMQ queue (jobs/auth-sessions.queue.ts has its jobs and payloads). */
export const AUTH_SESSIONS_QUEUE = 'auth-sessions';
/** Metadata key: the media types a library route reads its body in (`@BodyMediaTypes()`). */
export const BODY_MEDIA_TYPES_METADATA = 'auth-sessions:body-media-types';
/** Marks the library's own controllers (`LibraryController`); read by `isSignoffRoute`. */
export const LIBRARY_ROUTE_METADATA = 'auth-sessions:library-route';
