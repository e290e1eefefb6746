import { type CanActivate, type ExecutionContext, Injectable, Logger, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE_METADATA, ROLES_METADATA } from '../auth-sessions.constants.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import { controllerHandlers } from './controller-handlers.js';
import { asTransportException } from './transport-errors.js';

/** `@MessagePattern()` and `@EventPattern()` mark their handlers with this (`@nestjs/microservices`' PATTERN_METADATA). */
const PATTERN_METADATA = 'microservices:pattern';

/**
 * The global guard's rule for microservice handlers (`@MessagePattern()`, `@EventPattern()`, on any
 * transport), where the global guard may never run. Nest applies `APP_GUARD`s to a hybrid app's
 * microservice only when the host connects it with `{ inheritAppConfig: true }`; without that every
 * message handler answered whoever reached the microservice's port, although the docs promise that
 * every handler is protected unless `@Public()`. So this guard puts itself on every message handler of
 * the app, as `@UseGuards()` would, while Nest builds the app: before the host can connect a
 * microservice, whose handlers read their guards when it is connected.
 *
 * A message carries no session the library could check: a handler answers only when it is `@Public()`
 * and not `@Roles()` (no caller can hold a role there). The refusal is the contract's 401
 * `unauthenticated`, as an `RpcException` the client receives as is. Where the global guards run
 * too (`inheritAppConfig`, or `NestFactory.createMicroservice`), they answer the same.
 */
@Injectable()
export class MessageHandlersGuard implements CanActivate, OnApplicationBootstrap {
  private readonly logger = new Logger('AuthSessions');
  /** `Class.method` of each message handler this guard refuses every message to. */
  readonly alwaysRefused: string[] = [];

  constructor(
    discovery: DiscoveryService,
    scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    this.guardMessageHandlers(discovery, scanner);
  }

  /** Says once which handlers can never answer, so that a host sees it at start-up, not one refused message at a time. */
  onApplicationBootstrap(): void {
    if (this.alwaysRefused.length === 0) return;
    this.logger.warn(
      `Microservice handlers that are not @Public(), or are @Roles(), refuse every message (a message carries no session to check): ` +
        `${this.alwaysRefused.join(', ')}. Mark those meant for other services @Public() and guard them your own way.`,
    );
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'rpc' || !refusesEveryMessage(this.reflector, context.getHandler(), context.getClass())) return true;
    return asTransportException(context, new SessionRejectedError('unauthenticated')).then((refusal) => Promise.reject(refusal));
  }

  /** Adds this guard, first, to every message handler of every controller that does not have one of its kind yet. */
  private guardMessageHandlers(discovery: DiscoveryService, scanner: MetadataScanner): void {
    for (const { type, name, handler } of controllerHandlers(discovery, scanner)) {
      if (Reflect.getMetadata(PATTERN_METADATA, handler) === undefined) continue;
      if (refusesEveryMessage(this.reflector, handler, type)) this.alwaysRefused.push(`${type.name}.${name}`);
      const guards = (Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? [];
      // Two apps in one process share the classes: one instance of the guard is enough (it keeps no state of its app).
      if (guards.some((guard) => guard instanceof MessageHandlersGuard)) continue;
      Reflect.defineMetadata(GUARDS_METADATA, [this, ...guards], handler);
    }
  }
}

/** What a `Reflector` reads metadata from: a handler or its class. */
type MetadataTarget = ReturnType<ExecutionContext['getHandler']>;

/** The rule for a message: only a `@Public()` handler that needs no role answers one. */
function refusesEveryMessage(reflector: Reflector, handler: MetadataTarget, type: Type): boolean {
  const isPublic = reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE_METADATA, [handler, type]) === true;
  return !isPublic || (reflector.getAllAndOverride<string[] | undefined>(ROLES_METADATA, [handler, type])?.length ?? 0) > 0;
}
