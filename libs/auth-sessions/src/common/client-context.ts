/** Where a request came from, as recorded on sessions and audit events. */
export interface ClientContext {
  /** The client IP: the peer address, or `X-Forwarded-For` only as far as the app trusts proxies. */
  ip: string;
  userAgent: string;
  requestId: string | null;
}

/**
 * A client IP as sessions and audit events record it: an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`,
 * what a dual-stack socket reports for an IPv4 client) as the plain IPv4 address, at most 64
 * characters. Whatever compares with recorded IPs (the admin's revoke-by-filter) reads them the same way.
 */
export function normaliseClientIp(ip: string): string {
  return (ip.toLowerCase().startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip).slice(0, 64);
}

/** The client context of work no request started (jobs, back-channel calls without a browser). */
export const NO_CLIENT: ClientContext = { ip: '', userAgent: '', requestId: null };
