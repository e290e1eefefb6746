import type { Page } from 'playwright-core';

/** Every Web Storage entry of the page's origin, as `storage:key=value` lines. */
export function webStorage(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (['localStorage', 'sessionStorage'] as const).flatMap((name) => {
      const storage = window[name];
      return Array.from({ length: storage.length }, (_, index) => {
        const key = storage.key(index) ?? '';
        return `${name}:${key}=${storage.getItem(key) ?? ''}`;
      });
    }),
  );
}

/**
 * What GET /api/auth/me answers with the page's cookies. Sent through the context's request API rather than
 * from the page, so an expected 401 does not show up as a browser console error.
 */
export async function meStatus(page: Page): Promise<number> {
  return (await page.request.get('/api/auth/me')).status();
}

/** Names of the origin's IndexedDB databases and Cache Storage caches (both must be empty after logout). */
export function otherStorage(page: Page): Promise<{ indexedDb: string[]; caches: string[] }> {
  return page.evaluate(async () => ({
    indexedDb: (await indexedDB.databases()).map((database) => database.name ?? ''),
    caches: 'caches' in window ? await caches.keys() : [],
  }));
}
