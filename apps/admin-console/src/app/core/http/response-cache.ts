import { HttpResponse } from '@angular/common/http';
import { Injectable } from '@angular/core';

interface Entry {
  response: HttpResponse<unknown>;
  expiresAt: number;
}

/**
 * Short-lived GET responses kept in memory (e.g. a user list page, so Back from a user is instant).
 * It holds user data, so signing out clears it together with every other piece of user state.
 */
@Injectable({ providedIn: 'root' })
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();

  get(key: string, now = Date.now()): HttpResponse<unknown> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.response;
  }

  put(key: string, response: HttpResponse<unknown>, ttlMs: number, now = Date.now()): void {
    this.entries.set(key, { response, expiresAt: now + ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
