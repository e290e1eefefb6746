import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RATE_LIMITED_METADATA } from '../auth-sessions.constants.js';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { SecurityEvents } from '../audit/security-events.js';
import { AuthRedis } from '../common/auth-redis.js';
import { executionTargetOf } from '../edge/execution-target.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { RouteMetadata } from '../edge/route-metadata.js';
import { securityEventSource } from '../edge/security-event-source.js';
import { type RateLimitCounter, rateLimitCounterOf } from './rate-limit-counter.js';
import { rateLimitSubject } from './rate-limit-subject.js';
import { TooManyAttemptsError } from '../sessions/session.errors.js';

/**
 * Limits the routes marked `@RateLimited()` (the library's sign-in, token, refresh, reauth, password,
 * email and security-report routes, and any host route with the decorator), per route and client IP.
 * Counters are shared by every instance through the library's Redis (or `rateLimit.storage`); while
 * that storage fails, each instance counts on its own, so a request is never answered 500 and never
 * goes unlimited.
 */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  private readonly counter: RateLimitCounter | null;
  private readonly routes: RouteMetadata;

  constructor(
    reflector: Reflector,
    private readonly edge: HttpEdge,
    redis: AuthRedis,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    // Optional only so a guard built by hand (unit tests) needs none; the module always provides it.
    @Optional() private readonly securityEvents?: SecurityEvents,
  ) {
    this.routes = new RouteMetadata(reflector);
    const limits = options.rateLimit;
    this.counter = limits ? rateLimitCounterOf(limits, redis) : null;
  }

  // Synchronous for every route that is not limited: Nest then does not wait a tick for this guard.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const limits = this.options.rateLimit;
    if (!limits || !this.counter) return true;
    if (!this.routes.flag(RATE_LIMITED_METADATA, context)) return true;
    const target = executionTargetOf(context);
    if (target.kind !== 'http') return true;
    return this.limit(context, target.req, target.res, limits);
  }

  private async limit(
    context: ExecutionContext,
    req: HttpRequest,
    res: HttpResponse | undefined,
    limits: NonNullable<ResolvedAuthSessionsOptions['rateLimit']>,
  ): Promise<boolean> {
    const client = this.edge.clientContext(req);
    const key = `${context.getClass().name}.${context.getHandler().name}:${rateLimitSubject(client.ip)}`;
    const record = await this.counter!.hit(key, limits.windowSeconds * 1000, limits.limit);
    if (!record.isBlocked) return true;
    const retryAfter = Math.max(1, record.timeToBlockExpire);
    if (res) this.edge.setHeader(res, 'Retry-After', String(retryAfter));
    this.securityEvents?.record('excess_rate_limit_exceeded', securityEventSource(this.edge, req), { code: 'rate_limited', reason: 'ip_limit' });
    throw new TooManyAttemptsError(retryAfter);
  }
}
