import { normaliseClientIp } from '../common/client-context.js';
import type { SessionFilter } from '../sessions/session-filter.js';

/** The filter fields of `POST /api/admin/sessions/revoke-by-filter`, as validated strings. */
export interface RevokeFilterInput {
  ip?: string;
  userAgentContains?: string;
  createdBefore?: string;
  lastActiveBefore?: string;
  userIds?: string[];
}

/** The names of the filter fields, for error messages. */
export const REVOKE_FILTER_FIELDS = ['ip', 'userAgentContains', 'createdBefore', 'lastActiveBefore', 'userIds'] as const;

/**
 * The filter the input describes; null when it names no filter at all (which would match every
 * session of every user, so the API refuses it).
 */
export function toRevokeFilter(input: RevokeFilterInput): SessionFilter | null {
  const filter: SessionFilter = {};
  // Recorded IPs are normalised (an IPv4 client is never stored as ::ffff:a.b.c.d): the filter must be too.
  if (input.ip !== undefined) filter.ip = normaliseClientIp(input.ip);
  if (input.userAgentContains !== undefined) filter.userAgentContains = input.userAgentContains;
  if (input.createdBefore !== undefined) filter.createdBefore = new Date(input.createdBefore);
  if (input.lastActiveBefore !== undefined) filter.lastActiveBefore = new Date(input.lastActiveBefore);
  if (input.userIds !== undefined && input.userIds.length > 0) filter.userIds = [...new Set(input.userIds.map((id) => id.toLowerCase()))];
  return Object.keys(filter).length > 0 ? filter : null;
}

/** The filter as recorded in the `sessions_revoked_by_filter` event (JSON, ISO 8601 times). */
export function describeRevokeFilter(filter: SessionFilter): Record<string, unknown> {
  return {
    ...(filter.ip !== undefined ? { ip: filter.ip } : {}),
    ...(filter.userAgentContains !== undefined ? { userAgentContains: filter.userAgentContains } : {}),
    ...(filter.createdBefore ? { createdBefore: filter.createdBefore.toISOString() } : {}),
    ...(filter.lastActiveBefore ? { lastActiveBefore: filter.lastActiveBefore.toISOString() } : {}),
    ...(filter.userIds ? { userIds: filter.userIds } : {}),
  };
}
