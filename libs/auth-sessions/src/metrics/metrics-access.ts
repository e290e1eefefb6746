import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a scrape may read `/metrics`: always when no token is configured, else only with
 * `Authorization: Bearer <token>`. Compares digests in constant time, so the answer time does not
 * reveal how much of a guess was right.
 */
export function isMetricsScrapeAllowed(configuredToken: string | null, authorization: string | undefined): boolean {
  if (configuredToken === null) return true;
  const match = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? '');
  const given = match?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(configuredToken));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
