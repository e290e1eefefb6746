import type { ServerResponse } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionBus, type SessionChange } from '../sessions/session-bus.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import { SessionsService } from '../sessions/sessions.service.js';

/** One open event stream: a plain Node response the edge has handed over (either HTTP adapter). */
interface Stream {
  sessionId: string;
  userId: string;
  raw: ServerResponse;
  heartbeat: NodeJS.Timeout;
  expiry: NodeJS.Timeout | undefined;
}

// setTimeout cannot wait longer than about 24.8 days.
const MAX_TIMER_MS = 2_147_000_000;
// Sent to every open stream when this instance shuts down: reconnect (to another instance) after a second.
const SHUTDOWN_EVENT = `retry: 1000\nevent: reconnect\ndata: ${JSON.stringify({ reason: 'server_shutdown' })}\n\n`;

/**
 * The open `GET /api/auth/events` streams of this instance. A session that ends anywhere (any
 * instance, any path) gets `event: logout` through the session bus; each heartbeat also re-checks
 * the session, so a missed message still ends the stream within one heartbeat, and a timer fires
 * at the session's expiry.
 */
@Injectable()
export class EventStreamsService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly streams = new Set<Stream>();

  constructor(
    bus: SessionBus,
    private readonly sessions: SessionsService,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {
    bus.onChange((change) => this.onChange(change));
  }

  /** Number of open streams on this instance. */
  get size(): number {
    return this.streams.size;
  }

  /** Starts a stream on a response taken over from the HTTP adapter; it ends with a `logout` event when the session does. */
  open(auth: RequestAuth, raw: ServerResponse): void {
    raw.statusCode = 200;
    raw.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    raw.setHeader('Cache-Control', 'no-store');
    raw.setHeader('Connection', 'keep-alive');
    // Reverse proxies (nginx) must pass events through as they come.
    raw.setHeader('X-Accel-Buffering', 'no');
    raw.flushHeaders();
    send(raw, ': connected\n\n');
    const stream: Stream = {
      sessionId: auth.session.id,
      // The row's id (PostgreSQL's lower case, as the bus delivers it), not the users provider's spelling.
      userId: auth.session.userId,
      raw,
      heartbeat: setInterval(() => void this.beat(stream), this.options.eventsHeartbeatMs),
      expiry: undefined,
    };
    this.streams.add(stream);
    this.scheduleExpiryCheck(stream, auth.expiresAt);
    raw.on('close', () => this.close(stream));
  }

  // Nest closes the HTTP server between these two hooks, and that close waits for every open stream.
  beforeApplicationShutdown(): void {
    this.onApplicationShutdown();
  }

  /** Tells every open stream to reconnect (to another instance) and ends it. */
  onApplicationShutdown(): void {
    for (const stream of [...this.streams]) {
      stream.raw.end(SHUTDOWN_EVENT);
      this.close(stream);
    }
  }

  private onChange(change: SessionChange): void {
    if (change.reason === null) return;
    for (const stream of [...this.streams]) {
      const isEnded =
        change.sessionIds.includes(stream.sessionId) || (change.allOfUser && change.userId === stream.userId && stream.sessionId !== change.exceptSessionId);
      if (isEnded) this.sendLogout(stream, change.reason);
    }
  }

  private async beat(stream: Stream): Promise<void> {
    if (!this.streams.has(stream)) return;
    send(stream.raw, ': heartbeat\n\n');
    await this.recheck(stream);
  }

  private async recheck(stream: Stream): Promise<void> {
    let result;
    try {
      result = await this.sessions.authenticateById(stream.sessionId);
    } catch {
      return; // The store is unreachable: the session cannot be judged now; the next heartbeat tries again.
    }
    if (!this.streams.has(stream)) return;
    if (result.ok) {
      this.scheduleExpiryCheck(stream, result.expiresAt);
    } else {
      this.sendLogout(stream, result.reason ?? 'logout');
    }
  }

  private scheduleExpiryCheck(stream: Stream, expiresAt: Date): void {
    clearTimeout(stream.expiry);
    const wait = Math.min(Math.max(0, expiresAt.getTime() - Date.now()) + 50, MAX_TIMER_MS);
    stream.expiry = setTimeout(() => void this.recheck(stream), wait);
  }

  private sendLogout(stream: Stream, reason: SessionEndReason): void {
    if (!this.streams.has(stream)) return;
    stream.raw.end(`event: logout\ndata: ${JSON.stringify({ reason })}\n\n`);
    this.close(stream);
  }

  private close(stream: Stream): void {
    clearInterval(stream.heartbeat);
    clearTimeout(stream.expiry);
    this.streams.delete(stream);
  }
}

/**
 * Writes to an open stream and sends it on at once. Compression middleware (Express's `compression()`)
 * holds what a response writes until its buffer fills, unless told to flush: behind it, a client that
 * accepts gzip got neither `: connected` nor a heartbeat while the stream was open, and a proxy's idle
 * timeout cut it. `res.flush()` is what that middleware adds for this (a plain response has none).
 */
function send(raw: ServerResponse, text: string): void {
  raw.write(text);
  (raw as ServerResponse & { flush?: () => void }).flush?.();
}
