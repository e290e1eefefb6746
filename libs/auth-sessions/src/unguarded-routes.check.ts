import { Injectable, Logger, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { GUARDS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { RATE_LIMITED_METADATA, ROLES_METADATA, SAME_ORIGIN_METADATA } from './auth-sessions.constants.js';
import { AUTH_PARAMETER_FACTORIES } from './edge/auth.decorators.js';
import { controllerHandlers } from './edge/controller-handlers.js';
import { LibraryRoutesGuard } from './edge/library-routes.guard.js';
import { RolesGuard } from './edge/roles.guard.js';
import { SessionGuard } from './edge/session.guard.js';
import { AuthRateLimitGuard } from './throttling/auth-rate-limit.guard.js';

/** A decorator of the library that only a guard of the library gives effect to. */
const REQUIREMENTS: ReadonlyArray<{ metadata: string; decorator: string; guard: Type }> = [
  { metadata: SAME_ORIGIN_METADATA, decorator: '@RequireSameOrigin()', guard: SessionGuard },
  { metadata: RATE_LIMITED_METADATA, decorator: '@RateLimited()', guard: AuthRateLimitGuard },
  { metadata: ROLES_METADATA, decorator: '@Roles()', guard: RolesGuard },
];

/**
 * With `globalGuard: false`, a host route marked `@RequireSameOrigin()`, `@RateLimited()` or
 * `@Roles()` gets that protection only if the host also put the guard that reads the mark on it;
 * otherwise the mark does nothing, silently (a sign-in route would accept a foreign Origin and any
 * number of attempts). Likewise `@CurrentUser()` and its siblings read nothing, and `RolesGuard`
 * refuses everyone, where `SessionGuard` does not run first. At start-up this names every such route and the guard it lacks, once, as a
 * warning: the host may bind the guard globally itself, which the module cannot see.
 */
@Injectable()
export class UnguardedRoutesCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuthSessions');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    for (const problem of this.findProblems()) this.logger.warn(problem);
  }

  /** One sentence per route and missing guard. */
  findProblems(): string[] {
    const problems: string[] = [];
    for (const { type, name, handler } of controllerHandlers(this.discovery, this.scanner)) {
      const classGuards = guardsOf(type);
      if (classGuards.some((guard) => isGuard(guard, LibraryRoutesGuard))) continue;
      const guards = [...classGuards, ...guardsOf(handler)];
      for (const requirement of REQUIREMENTS) {
        if (this.reflector.getAllAndOverride(requirement.metadata, [handler, type]) === undefined) continue;
        if (guards.some((guard) => isGuard(guard, requirement.guard))) continue;
        problems.push(
          `${type.name}.${name} is marked ${requirement.decorator}, but with globalGuard: false no ${requirement.guard.name} runs on it, ` +
            `so the mark does nothing: add @UseGuards(${requirement.guard.name}) to it (or bind it globally yourself).`,
        );
      }
      const rolesMarked = this.reflector.getAllAndOverride(ROLES_METADATA, [handler, type]) !== undefined;
      problems.push(...sessionProblems(`${type.name}.${name}`, authParametersOf(type, name), guards, rolesMarked));
    }
    return problems;
  }
}

/**
 * What reads the caller `SessionGuard` signed in, on a route where it does not run first: the
 * parameter decorators then always give undefined, and `RolesGuard` refuses every request (401).
 */
function sessionProblems(route: string, parameters: string[], guards: unknown[], rolesMarked: boolean): string[] {
  const session = guards.findIndex((guard) => isGuard(guard, SessionGuard));
  const roles = guards.findIndex((guard) => isGuard(guard, RolesGuard));
  const problems: string[] = [];
  if (session === -1 && parameters.length > 0) {
    problems.push(
      `${route} reads ${parameters.join(', ')}, but with globalGuard: false no SessionGuard runs on it, so ${parameters.length > 1 ? 'they are' : 'it is'} ` +
        'always undefined: add @UseGuards(SessionGuard) to it (or bind it globally yourself).',
    );
  }
  if (rolesMarked && roles !== -1 && (session === -1 || session > roles)) {
    problems.push(
      `${route} is marked @Roles(), but ${session === -1 ? 'no SessionGuard runs' : 'SessionGuard runs after RolesGuard'}, so RolesGuard refuses every request ` +
        'with 401: put SessionGuard before RolesGuard (@UseGuards(SessionGuard, RolesGuard)), or bind SessionGuard globally yourself.',
    );
  }
  return problems;
}

/** The library's parameter decorators a handler reads (`@CurrentUser()` and the others), in parameter order. */
function authParametersOf(type: Type, name: string): string[] {
  const parameters = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) as Record<string, { index: number; factory?: unknown }> | undefined) ?? {};
  return Object.values(parameters)
    .sort((a, b) => a.index - b.index)
    .map((parameter) => AUTH_PARAMETER_FACTORIES.get(parameter.factory))
    .filter((decorator): decorator is string => decorator !== undefined);
}

function guardsOf(target: object): unknown[] {
  return (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];
}

function isGuard(candidate: unknown, guard: Type): boolean {
  return candidate === guard || candidate instanceof guard;
}
