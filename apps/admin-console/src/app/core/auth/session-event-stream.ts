import { Injectable, type OnDestroy } from '@angular/core';
import { isSessionEndReason, type SessionEndReason } from '../../shared/sessions/session';
import type { ApiProblem } from '../http/api-error';
import { api } from '../http/api-base';

export interface SessionEventHandlers {
  /** The server announced the end of this session (`event: logout`). */
  onLogout(reason: SessionEndReason | undefined): void;
  /** Connecting was refused with 401: the session had already ended. */
  onUnauthorized(problem: ApiProblem): void;
}

/** Waits before reconnecting after a dropped stream or a failed attempt; the last one repeats. */
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

/**
 * Listens to `GET /api/auth/events` (Server-Sent Events) with fetch rather than EventSource: fetch shows the
 * status and body of a refused connection, so a 401 can say why the session ended, and it never retries a 401.
 * The stream is no activity for the server, so reconnecting does not keep an idle session alive.
 */
@Injectable({ providedIn: 'root' })
export class SessionEventStream implements OnDestroy {
  private abort: AbortController | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;

  get connected(): boolean {
    return this.abort !== null;
  }

  connect(handlers: SessionEventHandlers): void {
    if (this.abort || typeof fetch !== 'function') return;
    this.failures = 0;
    this.open(handlers, new AbortController());
  }

  disconnect(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.abort?.abort();
    this.abort = null;
  }

  ngOnDestroy(): void {
    this.disconnect();
  }

  private open(handlers: SessionEventHandlers, abort: AbortController): void {
    this.abort = abort;
    void this.listen(handlers, abort.signal).then((next) => {
      if (abort.signal.aborted || this.abort !== abort) return;
      if (next === 'stop') {
        this.abort = null;
        return;
      }
      const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)] ?? 60_000;
      this.failures++;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.abort === abort) this.open(handlers, new AbortController());
      }, delay);
    });
  }

  private async listen(handlers: SessionEventHandlers, signal: AbortSignal): Promise<'stop' | 'retry'> {
    let response: Response;
    try {
      response = await fetch(api('/auth/events'), { headers: { Accept: 'text/event-stream' }, cache: 'no-store', signal });
    } catch {
      return 'retry';
    }
    if (response.status === 401) {
      handlers.onUnauthorized(await problemOf(response));
      return 'stop';
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      return 'retry';
    }
    this.failures = 0;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'retry';
        buffer += value;
        let boundary: RegExpExecArray | null;
        while ((boundary = /\r?\n\r?\n/.exec(buffer))) {
          const block = buffer.slice(0, boundary.index);
          buffer = buffer.slice(boundary.index + boundary[0].length);
          const event = parseEvent(block);
          if (event?.name === 'logout') {
            void reader.cancel().catch(() => undefined);
            handlers.onLogout(reasonOf(event.data));
            return 'stop';
          }
        }
      }
    } catch {
      return 'retry';
    }
  }
}

/** One SSE event block: `event:` and `data:` lines; comment lines (heartbeats) start with a colon. */
export function parseEvent(block: string): { name: string; data: string } | null {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 && name === 'message' ? null : { name, data: data.join('\n') };
}

function reasonOf(data: string): SessionEndReason | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    const reason = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['reason'] : undefined;
    return isSessionEndReason(reason) ? reason : undefined;
  } catch {
    return undefined;
  }
}

async function problemOf(response: Response): Promise<ApiProblem> {
  try {
    const body = (await response.json()) as Record<string, unknown>;
    const problem: ApiProblem = { status: 401, message: typeof body['message'] === 'string' ? body['message'] : 'Unauthorized' };
    if (typeof body['code'] === 'string') problem.code = body['code'];
    if (isSessionEndReason(body['reason'])) problem.reason = body['reason'];
    return problem;
  } catch {
    return { status: 401, message: 'Unauthorized' };
  }
}
