import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import {
  BODY_MEDIA_TYPES_METADATA,
  CSRF_EXEMPT_METADATA,
  NOT_ACTIVITY_METADATA,
  PUBLIC_ROUTE_METADATA,
  RATE_LIMITED_METADATA,
  ROLES_METADATA,
  SAME_ORIGIN_METADATA,
} from '../auth-sessions.constants.js';
import { authOf } from './execution-target.js';

/** Opts a route out of authentication. A valid session cookie is still resolved and still CSRF-checked. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE_METADATA, true);

/**
 * Requires every listed role, checked on each request against the user as `SessionGuard` found it:
 * your provider's data, cached with the session for at most 2 s (a role granted or removed in your
 * store counts within about 2 s; the library's admin routes re-read the caller and count it at once).
 */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_METADATA, roles);

/** Puts a route under the library's rate limit (`rateLimit`: per route and client IP, shared by all instances). */
export const RateLimited = (): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMITED_METADATA, true);

/**
 * Rejects every request with 403 `origin_not_allowed` when it carries an `Origin` other than
 * `publicOrigin`, with or without a session. With `@Public()` (sign-in and sign-up routes: login,
 * register) that is the route's whole CSRF check, and a signed-in browser needs no XSRF value there;
 * on a route that needs a session it comes on top of the usual XSRF check, never instead of it.
 */
export const RequireSameOrigin = (): MethodDecorator & ClassDecorator => SetMetadata(SAME_ORIGIN_METADATA, true);

/** Requests to this route do not move `lastActiveAt` (event streams). */
export const NotActivity = (): MethodDecorator & ClassDecorator => SetMetadata(NOT_ACTIVITY_METADATA, true);

const currentSession = (_data: unknown, ctx: ExecutionContext) => authOf(ctx)?.session;
const currentUser = (_data: unknown, ctx: ExecutionContext) => authOf(ctx)?.user;
const currentAuth = (_data: unknown, ctx: ExecutionContext) => authOf(ctx);

/** Injects the current session (`Session` entity) in controllers, resolvers and gateways; undefined on a public route without one. */
export const CurrentSession = createParamDecorator(currentSession);

/** Injects the current user (`SignoffUser`); undefined on a public route without a session. */
export const CurrentUser = createParamDecorator(currentUser);

/** Injects the whole `RequestAuth` (session, user, method). */
export const CurrentAuth = createParamDecorator(currentAuth);

/** The parameter decorators that read what `SessionGuard` found, by the factory Nest records for them. */
export const AUTH_PARAMETER_FACTORIES: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [currentSession, '@CurrentSession()'],
  [currentUser, '@CurrentUser()'],
  [currentAuth, '@CurrentAuth()'],
]);

/** Exempts a route from the CSRF and Origin rules (the token endpoints: browsers never send their bodies by themselves). */
export const CsrfExempt = (): MethodDecorator & ClassDecorator => SetMetadata(CSRF_EXEMPT_METADATA, true);

/**
 * The media types a library route reads its body in (default: `JSON_AND_FORM_BODIES`); a body of
 * any other type, or one the host's parsers left unread, is a 415 (`LibraryRoutesGuard`).
 */
export const BodyMediaTypes = (...mediaTypes: string[]): MethodDecorator & ClassDecorator => SetMetadata(BODY_MEDIA_TYPES_METADATA, mediaTypes);
