import type { SecurityEventSource } from '../audit/security-events.js';
import type { HttpEdge, HttpRequest } from './http-edge.js';

/** The request as `SecurityEvents` logs it. Express's `originalUrl` is preferred: a sub-router rewrites `url`. */
export function securityEventSource(edge: HttpEdge, req: HttpRequest): SecurityEventSource {
  const original = (req as { originalUrl?: unknown }).originalUrl;
  return { method: edge.method(req), url: typeof original === 'string' ? original : (req.url ?? ''), client: edge.clientContext(req) };
}
