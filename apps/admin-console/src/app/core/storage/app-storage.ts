import { Injectable } from '@angular/core';

const PREFIX = 'signoff.console.';

/**
 * The only door to Web Storage. Every key carries the console's prefix, so signing out can remove exactly
 * the keys the console owns. Nothing secret goes here (COOK-07): session secrets live in HttpOnly cookies.
 */
@Injectable({ providedIn: 'root' })
export class AppStorage {
  read<T>(key: string, fallback: T): T {
    try {
      const raw = sessionStorage.getItem(PREFIX + key);
      return raw === null ? fallback : (JSON.parse(raw) as T);
    } catch {
      return fallback;
    }
  }

  write(key: string, value: unknown): void {
    try {
      sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
    } catch {
      // Storage full or disabled: the preference simply is not remembered.
    }
  }

  /** Removes every key with the console's prefix from both storages. */
  clear(): void {
    for (const storage of [safeStorage('localStorage'), safeStorage('sessionStorage')]) {
      if (!storage) continue;
      const owned: string[] = [];
      for (let index = 0; index < storage.length; index++) {
        const key = storage.key(index);
        if (key?.startsWith(PREFIX)) owned.push(key);
      }
      for (const key of owned) storage.removeItem(key);
    }
  }
}

function safeStorage(name: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    return globalThis[name];
  } catch {
    return undefined;
  }
}
