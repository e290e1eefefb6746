/** Where a request came from, as recorded on sessions and audit events. */
export interface ClientContext {
  /** The client IP: the peer address, or `X-Forwarded-For` only as far as the app trusts proxies. */
  ip: string;
  userAgent: string;
  requestId: string | null;
}

/** The client context of work no request started (jobs, back-channel calls without a browser). */
export const NO_CLIENT: ClientContext = { ip: '', userAgent: '', requestId: null };
