import { type ArgumentsHost, Catch, type HttpServer, HttpStatus, NotFoundException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Answers 405 with `Allow` (RFC 9110 §15.5.6) instead of 404 when the path exists but not for the
 * request's method, e.g. `PUT /api/auth/login`, on Express and on Fastify. Every other 404 (no such
 * path, or a handler's own "no such session") passes through unchanged.
 */
@Catch(NotFoundException)
export class MethodNotAllowedFilter extends BaseExceptionFilter {
  constructor(private readonly adapter: HttpServer) {
    super(adapter);
  }

  override catch(exception: NotFoundException, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(exception, host);
    const http = host.switchToHttp();
    const req: unknown = http.getRequest();
    const res: unknown = http.getResponse();
    const method = String(this.adapter.getRequestMethod?.(req) ?? '').toUpperCase();
    const allowed = routedMethods(this.adapter, pathOf(String(this.adapter.getRequestUrl?.(req) ?? '')));
    // A route for this very method exists: the 404 is the handler's own answer.
    if (allowed.length === 0 || allowed.includes(method)) return super.catch(exception, host);
    this.adapter.setHeader(res, 'Allow', allowed.join(', '));
    // No route ran, so no guard marked the answer as private; it may answer a signed-in request.
    this.adapter.setHeader(res, 'Cache-Control', 'no-store');
    this.adapter.reply(
      res,
      { statusCode: HttpStatus.METHOD_NOT_ALLOWED, message: `${method} is not allowed here; use ${allowed.join(' or ')}.`, error: 'Method Not Allowed' },
      HttpStatus.METHOD_NOT_ALLOWED,
    );
  }
}

/** The methods the platform's router answers for a path (HEAD wherever GET is). */
export function routedMethods(adapter: HttpServer, path: string): string[] {
  const instance: unknown = adapter.getInstance();
  const fastify = instance as { findRoute?: (options: { method: string; url: string }) => unknown };
  if (typeof fastify.findRoute === 'function') {
    return METHODS.filter((method) => fastify.findRoute!({ method, url: path }) !== null);
  }
  // Express 5: the application router's route layers (middleware such as the console has no route).
  const router = (instance as { router?: { stack?: ExpressLayer[] } }).router;
  const found = new Set<string>();
  for (const layer of router?.stack ?? []) {
    if (!layer.route || !safeMatch(layer, path)) continue;
    const methods = Object.entries(layer.route.methods)
      .filter(([, enabled]) => enabled)
      .map(([method]) => method.toUpperCase());
    // Nest mounts middleware (and its own 404 for excluded paths) as routes for every method Express
    // knows; those say nothing about what the path answers.
    if (methods.includes('_ALL') || methods.length > METHODS.length) continue;
    for (const method of methods) found.add(method);
  }
  if (found.has('GET')) found.add('HEAD');
  return METHODS.filter((method) => found.has(method));
}

interface ExpressLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

function safeMatch(layer: ExpressLayer, path: string): boolean {
  try {
    return layer.match(path);
  } catch {
    // A malformed percent-encoding in the path: no route matches it.
    return false;
  }
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
