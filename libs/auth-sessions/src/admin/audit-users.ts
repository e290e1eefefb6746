import type { AuditFilter } from '../audit/audit-event.repository.js';
import type { AuditEventResponse } from '../audit/audit-event.response.js';
import { normalizeEmail } from '../users/email.js';
import type { AuthUsersProvider, SignoffUser } from '../users/users-provider.js';

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

/** Users already looked up, by id (`null`: the host has no such user). */
export type KnownUsers = Map<string, SignoffUser | null>;

/** How many users are looked up at the same time. */
const LOOKUPS_AT_ONCE = 16;

/** How many users an export remembers between its batches before it starts over. */
const KNOWN_USERS_LIMIT = 10_000;

/**
 * Adds `user: {id, email}` (the target user as the host knows them now) to each event: one lookup
 * per distinct user. An export passes the same `known` map for every batch, so each user is looked
 * up once per export (up to `KNOWN_USERS_LIMIT` users, then once per batch).
 */
export async function withUsers(users: AuthUsersProvider, events: AuditEventResponse[], known: KnownUsers = new Map()): Promise<AuditEventResponse[]> {
  const wanted = new Set(events.map((event) => event.userId).filter((id): id is string => id !== null));
  if (known.size + wanted.size > KNOWN_USERS_LIMIT) known.clear();
  const ids = [...wanted].filter((id) => !known.has(id));
  // A few at a time: an export batch can name a thousand users, and the host's pool (or its user
  // service) should not get a thousand lookups at once.
  for (let start = 0; start < ids.length; start += LOOKUPS_AT_ONCE) {
    const slice = ids.slice(start, start + LOOKUPS_AT_ONCE);
    const found = await Promise.all(slice.map((id) => users.findById(id)));
    slice.forEach((id, index) => known.set(id, found[index]));
  }
  return events.map((event) => {
    const user = event.userId ? known.get(event.userId) : null;
    return { ...event, user: user ? { id: user.id, email: user.email } : null };
  });
}
