import { Injectable, Logger } from '@nestjs/common';
import type { ClientContext } from '../common/client-context.js';

/**
 * Failed or suspicious session activity the library logs (AUD-06), in OWASP's logging vocabulary
 * (`session_use_after_revoke` and `authn_token_invalid` are ours, in its style).
 */
export const SECURITY_EVENT_NAMES = [
  'session_use_after_revoke',
  'session_use_after_expire',
  'authn_token_invalid',
  'malicious_csrf',
  'authz_fail',
  'malicious_direct_reference',
  'authn_login_lock',
  'excess_rate_limit_exceeded',
] as const;

/** One of `SECURITY_EVENT_NAMES`. */
export type SecurityEventName = (typeof SECURITY_EVENT_NAMES)[number];

/** The request an event happened on, as the edge reads it (see `securityEventSource`). */
export interface SecurityEventSource {
  method: string;
  /** The request target as sent; only its path is logged. */
  url: string;
  client: ClientContext;
}

/** What a security event says beyond the request. Ids only: never a token, cookie, XSRF value, hash or header. */
export interface SecurityEventDetails {
  /** The contract's code of the refusal (`session_ended`, `csrf_token_invalid`, `forbidden`, …). */
  code: string;
  /** The contract's reason, when the refusal has one (`logout`, `idle_timeout`, …). */
  reason?: string;
  /** The caller's session, when the request authenticated; for a refused credential, the ended or expired session it named. */
  sessionId?: string;
  /** The caller, when the request authenticated; for a refused credential, the user of the session it named. */
  userId?: string;
  /** The session handle the caller asked for (a direct reference to someone else's session). */
  requestedSessionId?: string;
  /** The roles the route needed. */
  requiredRoles?: string[];
}

/** Lines per event name per window; beyond them only the count is logged, once the window is over. */
export const SECURITY_EVENT_LINES_PER_WINDOW = 10;
const WINDOW_MS = 1_000;
const MAX_PATH = 200;

interface Window {
  startedAt: number;
  logged: number;
  suppressed: number;
  timer?: NodeJS.Timeout;
}

/**
 * Logs failed or suspicious session activity (AUD-06): one structured warning per event under the
 * `SignoffSecurity` context. Callers are attackers as often as not, so the log is bounded: at most
 * `SECURITY_EVENT_LINES_PER_WINDOW` lines per event name per second on each process, then one line
 * with how many more there were. Listeners (the metrics' `signoff_security_events_total`) hear every one.
 */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SignoffSecurity');
  private readonly windows = new Map<SecurityEventName, Window>();
  private readonly listeners: Array<(event: SecurityEventName) => void> = [];

  /** Calls `listener` for every event recorded from now on, logged or not. */
  onRecorded(listener: (event: SecurityEventName) => void): void {
    this.listeners.push(listener);
  }

  /** Records one event of a request: method, path without the query string, client IP and request id, with `details`. */
  record(event: SecurityEventName, source: SecurityEventSource, details: SecurityEventDetails): void {
    for (const listener of this.listeners) listener(event);
    const now = Date.now();
    let window = this.windows.get(event);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      if (window) this.flush(event, window);
      window = { startedAt: now, logged: 0, suppressed: 0 };
      this.windows.set(event, window);
    }
    if (window.logged >= SECURITY_EVENT_LINES_PER_WINDOW) {
      // Nothing is formatted for a suppressed event: a flood costs a count each.
      if (window.suppressed++ === 0) {
        const full = window;
        full.timer = setTimeout(() => this.flush(event, full), full.startedAt + WINDOW_MS - now);
        // Never what keeps a process alive.
        full.timer.unref();
      }
      return;
    }
    window.logged++;
    const path = pathOf(source.url);
    this.logger.warn({
      msg: `${event}: ${details.code}${details.reason ? ` (${details.reason})` : ''} on ${source.method} ${path}`,
      event,
      ...details,
      method: source.method,
      path,
      ip: source.client.ip,
      ...(source.client.requestId !== null ? { requestId: source.client.requestId } : {}),
    });
  }

  private flush(event: SecurityEventName, window: Window): void {
    clearTimeout(window.timer);
    window.timer = undefined;
    if (window.suppressed === 0) return;
    const suppressed = window.suppressed;
    window.suppressed = 0;
    this.logger.warn({
      msg: `${suppressed} more ${event} event${suppressed === 1 ? '' : 's'} within a second were not logged (all are counted in signoff_security_events_total)`,
      event: 'security_events_suppressed',
      suppressedEvent: event,
      suppressed,
    });
  }
}

/** The path of a request target: the query string may carry one-time secrets (an identity provider's code and state). */
function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return (end === -1 ? url : url.slice(0, end)).slice(0, MAX_PATH);
}
