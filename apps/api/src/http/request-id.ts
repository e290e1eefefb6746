import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID = /^[\w.:-]{1,64}$/;
const assigned = new WeakMap<IncomingMessage, string>();

/**
 * The id of a request: the caller's `X-Request-Id` when it is a plain token, else a new UUID. The same
 * Node request always gets the same id, so the HTTP platform (Fastify's `request.id`) and the request
 * log (pino-http) agree, and audit events carry the id the client saw in `X-Request-Id`.
 */
export function requestIdOf(req: IncomingMessage): string {
  let id = assigned.get(req);
  if (!id) {
    const given = req.headers['x-request-id'];
    id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    assigned.set(req, id);
  }
  return id;
}
