import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

/**
 * Route metadata (`@Public()`, `@Roles()`, `@RateLimited()`, …) read as `Reflector.getAllAndOverride`
 * reads it (the handler's, else its class's), but once per handler and class rather than on every
 * request: decorators set it when the classes are defined, and it does not change while the app runs.
 */
export class RouteMetadata {
  private readonly byHandler = new WeakMap<object, WeakMap<object, Map<string, unknown>>>();

  constructor(private readonly reflector: Reflector) {}

  /** The value of `key` for the route the context runs. */
  get<T>(key: string, context: ExecutionContext): T | undefined {
    const handler = context.getHandler();
    const type = context.getClass();
    let byClass = this.byHandler.get(handler);
    if (!byClass) this.byHandler.set(handler, (byClass = new WeakMap<object, Map<string, unknown>>()));
    let values = byClass.get(type);
    if (!values) byClass.set(type, (values = new Map<string, unknown>()));
    if (values.has(key)) return values.get(key) as T | undefined;
    const value = this.reflector.getAllAndOverride<T | undefined>(key, [handler, type]);
    values.set(key, value);
    return value;
  }

  /** Whether the flag `key` is set (to `true`) on the route the context runs. */
  flag(key: string, context: ExecutionContext): boolean {
    return this.get<boolean>(key, context) === true;
  }
}
