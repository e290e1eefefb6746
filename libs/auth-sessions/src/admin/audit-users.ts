import type { AuditFilter } from '../audit/audit-event.repository.js';
import type { AuditEventResponse } from '../audit/audit-event.response.js';
import { normalizeEmail } from '../users/email.js';
import type { AuthUsersProvider } from '../users/users-provider.js';

/**
 * Narrows an audit filter to the user whose current email is `email` (the host's `findByEmail`,
 * case-insensitive). Null when no such user exists, or when a `userId` filter names someone else:
 * then nothing can match.
 */
export async function withEmailFilter(users: AuthUsersProvider, filter: AuditFilter, email: string | undefined): Promise<AuditFilter | null> {
  if (!email) return filter;
  const user = await users.findByEmail(normalizeEmail(email.trim()));
  if (!user) return null;
  const userId = user.id.toLowerCase();
  if (filter.userId && filter.userId !== userId) return null;
  return { ...filter, userId };
}

/** Adds `user: {id, email}` (the target user as the host knows them now) to each event: one lookup per distinct user. */
export async function withUsers(users: AuthUsersProvider, events: AuditEventResponse[]): Promise<AuditEventResponse[]> {
  const ids = [...new Set(events.map((event) => event.userId).filter((id): id is string => id !== null))];
  const found = new Map(await Promise.all(ids.map(async (id) => [id, await users.findById(id).catch(() => null)] as const)));
  return events.map((event) => {
    const user = event.userId ? found.get(event.userId) : null;
    return { ...event, user: user ? { id: user.id, email: user.email } : null };
  });
}
