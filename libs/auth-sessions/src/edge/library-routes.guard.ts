import {
  applyDecorators,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  SetMetadata,
  UseFilters,
  UseGuards,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BODY_MEDIA_TYPES_METADATA, LIBRARY_ROUTE_METADATA } from '../auth-sessions.constants.js';
import { AUTH_SESSIONS_MODULE_EXTRAS, type ResolvedAuthSessionsModuleExtras } from '../auth-sessions.module-definition.js';
import { markFormBody } from '../common/form-body.js';
import { LibraryErrorsFilter } from './library-errors.filter.js';
import { assertReadableBody, isFormPost, JSON_AND_FORM_BODIES } from './request-body.js';
import { type InputRequest, RouteInput } from './route-input.js';
import { RouteMetadata } from './route-metadata.js';
import { RolesGuard } from './roles.guard.js';
import { SessionGuard } from './session.guard.js';

/** The rate limiter the library's routes go through (the module binds it to `AuthRateLimitGuard`). */
export const LIBRARY_RATE_LIMIT = Symbol('AUTH_SESSIONS_LIBRARY_RATE_LIMIT');

/** What the guard needs of the rate limiter: a check that answers now or in a promise. */
export interface LibraryRateLimit {
  canActivate(context: ExecutionContext): boolean | Promise<boolean>;
}

/**
 * The library's own routes are guarded here, whatever the host binds: with `globalGuard: true` the
 * rate limiter, `SessionGuard` and `RolesGuard` are global (`APP_GUARD`) and have already run, so
 * this lets the request on; with `globalGuard: false` nothing global is bound, and this runs the same
 * three for the library's routes only. The host's own routes never meet a guard of the library then,
 * not even one that looks at the route and lets it pass (Nest's guard step costs every request).
 *
 * Then, once the caller is known, it refuses a body the route cannot read (415, `assertReadableBody`):
 * the host's parsers decide what reaches the library, and one that reads nothing must not make a
 * request with a body look like one without.
 *
 * Bound to each library controller by `@LibraryController()`; its flag comes from the module of the
 * app serving the request, so apps in one process may choose differently.
 */
@Injectable()
export class LibraryRoutesGuard implements CanActivate {
  private readonly metadata: RouteMetadata;
  private readonly input = new RouteInput();
  private readonly logger = new Logger('AuthSessions');
  /** The media types already reported as read by no body parser of the host (each once). */
  private readonly unparsedTypes = new Set<string>();

  constructor(
    @Inject(AUTH_SESSIONS_MODULE_EXTRAS) private readonly extras: ResolvedAuthSessionsModuleExtras,
    @Inject(LIBRARY_RATE_LIMIT) private readonly rateLimit: LibraryRateLimit,
    private readonly session: SessionGuard,
    private readonly roles: RolesGuard,
    reflector: Reflector,
  ) {
    this.metadata = new RouteMetadata(reflector);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.extras.globalGuard) return this.checkInput(context);
    return this.guardLibraryRoute(context);
  }

  private async guardLibraryRoute(context: ExecutionContext): Promise<boolean> {
    const allowed = (await this.rateLimit.canActivate(context)) && (await this.session.canActivate(context)) && this.roles.canActivate(context);
    return allowed && this.checkInput(context);
  }

  /** The body's media type, then the input as sent against the route's own pipes (`RouteInput`), before any pipe of the host. */
  private checkInput(context: ExecutionContext): true | Promise<true> {
    if (context.getType() !== 'http') return true;
    const accepted = this.metadata.get<readonly string[]>(BODY_MEDIA_TYPES_METADATA, context) ?? JSON_AND_FORM_BODIES;
    const req = context.switchToHttp().getRequest<InputRequest>();
    assertReadableBody(req, accepted, (type) => this.reportUnparsed(type));
    // A form's values are all text: its checkboxes' `on` reads as true where a DTO says `@FormBoolean()`.
    if (isFormPost(req)) markFormBody(req.body);
    const checked = this.input.check(context, req);
    return checked ? checked.then(() => true) : true;
  }

  /** The client's 415 cannot fix what the host configured: the log says what to turn on, once per type. */
  private reportUnparsed(type: string): void {
    if (this.unparsedTypes.has(type)) return;
    this.unparsedTypes.add(type);
    this.logger.warn(
      `A library route got a ${type} body that no body parser of this app read (req.body is unset), and answered 415. ` +
        `Turn Nest's body parser on for ${type} (NestFactory.create(AppModule) has it on unless bodyParser: false; or app.useBodyParser('${type === 'application/json' ? 'json' : 'urlencoded'}')).`,
    );
  }
}

/**
 * `@Controller(path)` for the library's controllers, with `LibraryRoutesGuard` as their first guard
 * and `LibraryErrorsFilter` for their refusals. Put a controller's own `@UseGuards()` above it, so
 * those run after it (decorators apply bottom-up). The routes are version-neutral: a host that
 * versions its own API (`app.enableVersioning()` with a `defaultVersion`) would otherwise move them to
 * `/v1/auth/…` (URI versioning), away from the paths the contract, the console and identity
 * providers' registered URLs name; `routes.prefix` moves them.
 */
export function LibraryController(path: string): ClassDecorator {
  return applyDecorators(
    Controller({ path, version: VERSION_NEUTRAL }),
    UseGuards(LibraryRoutesGuard),
    UseFilters(LibraryErrorsFilter),
    SetMetadata(LIBRARY_ROUTE_METADATA, true),
  );
}

/**
 * Whether a request runs one of the library's own routes (`/auth/…`, `/admin/…` under your prefixes).
 * For a global interceptor of yours that reshapes answers: Nest runs it around the library's handlers
 * too, and a wrapped answer (`{ data: … }`) is not what the contract, the console and API clients read.
 * @example
 * intercept(context: ExecutionContext, next: CallHandler) {
 *   return isSignoffRoute(context) ? next.handle() : next.handle().pipe(map((data) => ({ data })));
 * }
 */
export function isSignoffRoute(context: ExecutionContext): boolean {
  return context.getType() === 'http' && Reflect.getMetadata(LIBRARY_ROUTE_METADATA, context.getClass()) === true;
}
