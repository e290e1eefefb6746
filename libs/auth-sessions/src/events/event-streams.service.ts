import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionBus, type SessionChange } from '../sessions/session-bus.js';
import type { SessionEndReason } from '../sessions/session-end-reason.js';
import { SessionsService } from '../sessions/sessions.service.js';

interface Stream {
  sessionId: string;
  userId: string;
  res: Response;
  heartbeat: NodeJS.Timeout;
  expiry: NodeJS.Timeout | undefined;
}

// setTimeout cannot wait longer than about 24.8 days.
const MAX_TIMER_MS = 2_147_000_000;

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

  /** Opens a stream for the caller's session; it ends with a `logout` event when the session does. */
  open(auth: RequestAuth, req: Request, res: Response): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    // Reverse proxies (nginx) must pass events through as they come.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(': connected\n\n');
    const stream: Stream = {
      sessionId: auth.session.id,
      userId: auth.user.id,
      res,
      heartbeat: setInterval(() => void this.beat(stream), this.options.eventsHeartbeatMs),
      expiry: undefined,
    };
    this.streams.add(stream);
    this.scheduleExpiryCheck(stream, auth.expiresAt);
    req.on('close', () => this.close(stream));
  }

  // Nest closes the HTTP server between these two hooks, and that waits for every open stream.
  beforeApplicationShutdown(): void {
    this.onApplicationShutdown();
  }

  /** Each open stream is told to reconnect in a second (to another instance, or to this one restarted) and ended. */
  onApplicationShutdown(): void {
    for (const stream of [...this.streams]) {
      stream.res.end(`retry: 1000\nevent: reconnect\ndata: ${JSON.stringify({ reason: 'server_shutdown' })}\n\n`);
      this.close(stream);
    }
  }

  private onChange(change: SessionChange): void {
    if (change.reason === null) return;
    for (const stream of [...this.streams]) {
      const isEnded =
        change.sessionIds.includes(stream.sessionId) ||
        (change.allOfUser && change.userId === stream.userId && stream.sessionId !== change.exceptSessionId);
      if (isEnded) this.sendLogout(stream, change.reason);
    }
  }

  private async beat(stream: Stream): Promise<void> {
    if (!this.streams.has(stream)) return;
    stream.res.write(': heartbeat\n\n');
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
    stream.res.write(`event: logout\ndata: ${JSON.stringify({ reason })}\n\n`);
    stream.res.end();
    this.close(stream);
  }

  private close(stream: Stream): void {
    clearInterval(stream.heartbeat);
    clearTimeout(stream.expiry);
    this.streams.delete(stream);
  }
}
