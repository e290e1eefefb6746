import { Injectable, type OnDestroy } from '@angular/core';
import { isSessionEndReason, type SessionEndReason } from '../../shared/sessions/session';

/** What one tab tells the others about the shared (cookie) session. */
export type TabMessage = { type: 'session-ended'; reason?: SessionEndReason };

const CHANNEL = 'signoff.console.session';

/** A BroadcastChannel between the console's tabs of this origin; a no-op where BroadcastChannel is missing. */
@Injectable({ providedIn: 'root' })
export class TabChannel implements OnDestroy {
  private readonly channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
  private readonly listeners = new Set<(message: TabMessage) => void>();

  constructor() {
    this.channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = parse(event.data);
      if (message) for (const listener of this.listeners) listener(message);
    });
  }

  post(message: TabMessage): void {
    this.channel?.postMessage(message);
  }

  listen(listener: (message: TabMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ngOnDestroy(): void {
    this.channel?.close();
    this.listeners.clear();
  }
}

// Another tab of the same origin is trusted as much as this one, but the data is still checked.
function parse(data: unknown): TabMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  if (record['type'] !== 'session-ended') return null;
  return isSessionEndReason(record['reason']) ? { type: 'session-ended', reason: record['reason'] } : { type: 'session-ended' };
}
