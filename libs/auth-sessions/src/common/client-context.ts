import type { Request } from 'express';

/** Where a request came from, as recorded on sessions and audit events. */
export interface ClientContext {
  /** The client IP: the peer address, or `X-Forwarded-For` only as far as the app trusts proxies. */
  ip: string;
  userAgent: string;
  requestId: string | null;
}

const MAX_USER_AGENT = 512;

/** Reads the client context; `req.ip` honours Express's `trust proxy` setting (`TRUST_PROXY`). */
export function clientContextOf(req: Request): ClientContext {
  const userAgent = req.get('user-agent') ?? '';
  const id = (req as Request & { id?: unknown }).id;
  return {
    ip: normaliseIp(req.ip ?? req.socket?.remoteAddress ?? ''),
    userAgent: userAgent.slice(0, MAX_USER_AGENT),
    requestId: typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 64) : null,
  };
}

function normaliseIp(ip: string): string {
  return (ip.startsWith('::ffff:') ? ip.slice(7) : ip).slice(0, 64);
}
