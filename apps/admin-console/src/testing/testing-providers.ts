import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { Injectable, type EnvironmentProviders, type Provider } from '@angular/core';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter, withComponentInputBinding, type Routes } from '@angular/router';
import { SessionEventStream, type SessionEventHandlers } from '../app/core/auth/session-event-stream';
import { TabChannel, type TabMessage } from '../app/core/auth/tab-channel';
import { cacheInterceptor } from '../app/core/http/cache-interceptor';
import { reauthInterceptor } from '../app/core/http/reauth-interceptor';
import { sessionEndInterceptor } from '../app/core/http/session-end-interceptor';
import { xsrfRetryInterceptor } from '../app/core/http/xsrf-retry-interceptor';
import type { Session } from '../app/shared/sessions/session';

/** Records connects instead of opening a network stream; `emitLogout` plays the server's event. */
@Injectable()
export class FakeSessionEventStream {
  handlers: SessionEventHandlers | null = null;
  connects = 0;
  connect(handlers: SessionEventHandlers): void {
    this.connects++;
    this.handlers = handlers;
  }
  disconnect(): void {
    this.handlers = null;
  }
  get connected(): boolean {
    return this.handlers !== null;
  }
  emitLogout(reason?: Parameters<SessionEventHandlers['onLogout']>[0]): void {
    this.handlers?.onLogout(reason);
  }
}

/** An in-memory channel: `posted` holds what this tab said, `receive` plays a message from another tab. */
@Injectable()
export class FakeTabChannel {
  readonly posted: TabMessage[] = [];
  private readonly listeners = new Set<(message: TabMessage) => void>();
  post(message: TabMessage): void {
    this.posted.push(message);
  }
  listen(listener: (message: TabMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  receive(message: TabMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

/** The app's HTTP stack (same interceptors, in the same order) against HttpTestingController. */
export function provideConsoleTesting(routes: Routes = []): Array<Provider | EnvironmentProviders> {
  return [
    provideRouter(routes, withComponentInputBinding()),
    provideHttpClient(withInterceptors([xsrfRetryInterceptor, reauthInterceptor, sessionEndInterceptor, cacheInterceptor])),
    provideHttpClientTesting(),
    { provide: SessionEventStream, useClass: FakeSessionEventStream },
    { provide: TabChannel, useClass: FakeTabChannel },
    // jsdom fires no animation events; without this a closing dialog would wait for one forever.
    { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
  ];
}

export function session(overrides: Partial<Session> = {}): Session {
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  return {
    id: crypto.randomUUID(),
    current: false,
    device: { browser: 'Firefox 140', os: 'Windows 11', type: 'desktop' },
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
    ip: '203.0.113.7',
    createdAt: minutesAgo(120),
    lastActiveAt: minutesAgo(3),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    ...overrides,
  };
}

export function setCookie(cookie: string): void {
  document.cookie = cookie;
}

export function clearCookies(): void {
  for (const part of document.cookie.split(';')) {
    const name = part.split('=')[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}
