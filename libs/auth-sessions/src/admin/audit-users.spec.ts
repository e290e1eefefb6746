import { jest } from '@jest/globals';
import type { AuditEventResponse } from '../audit/audit-event.response.js';
import type { AuthUsersProvider, SignoffUser } from '../users/users-provider.js';
import { type KnownUsers, withUsers } from './audit-users.js';

const ADA: SignoffUser = { id: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f', email: 'ada@example.com', roles: [] };
const GONE = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

function eventFor(userId: string | null): AuditEventResponse {
  return {
    id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    type: 'logout',
    at: new Date('2026-03-01T09:45:00.000Z'),
    actor: null,
    userId,
    sessionId: null,
    ip: null,
    userAgent: null,
    reason: null,
    note: null,
    metadata: {},
    requestId: null,
  };
}

function usersProvider() {
  const findById = jest.fn(async (id: string) => (id === ADA.id ? ADA : null));
  return { provider: { findById } as unknown as AuthUsersProvider, findById };
}

describe('withUsers', () => {
  it('should add each target user as the host knows them, null for none or one the host no longer has', async () => {
    const { provider } = usersProvider();
    const events = await withUsers(provider, [eventFor(ADA.id), eventFor(GONE), eventFor(null)]);
    expect(events.map((event) => event.user)).toEqual([{ id: ADA.id, email: ADA.email }, null, null]);
  });

  it('should fail when a lookup fails, rather than give the event no user', async () => {
    // A host whose user store is down: an export or a page with "user": null on every event would look
    // complete and be wrong. The failure reaches the caller (a 503 for a store error, a cut export).
    const provider = { findById: jest.fn(async () => Promise.reject(new Error('users store is down'))) } as unknown as AuthUsersProvider;
    await expect(withUsers(provider, [eventFor(ADA.id)])).rejects.toThrow('users store is down');
  });

  it('should look each user up once across the batches of one export', async () => {
    const { provider, findById } = usersProvider();
    const known: KnownUsers = new Map();
    await withUsers(provider, [eventFor(ADA.id), eventFor(ADA.id), eventFor(GONE)], known);
    const second = await withUsers(provider, [eventFor(ADA.id), eventFor(GONE)], known);
    expect(second.map((event) => event.user?.email ?? null)).toEqual([ADA.email, null]);
    expect(findById.mock.calls.map(([id]) => id).sort()).toEqual([ADA.id, GONE].sort());
  });

  it('should look up at most 16 users at a time, and every one of them', async () => {
    let inFlight = 0;
    let most = 0;
    const findById = jest.fn(async (id: string) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return { id, email: `${id}@example.com`, roles: [] };
    });
    const ids = Array.from({ length: 100 }, (_, index) => `user-${index}`);
    const events = await withUsers({ findById } as unknown as AuthUsersProvider, ids.map(eventFor));
    expect(most).toBe(16);
    expect(findById).toHaveBeenCalledTimes(100);
    expect(events.map((event) => event.user?.email)).toEqual(ids.map((id) => `${id}@example.com`));
  });

  it('should start over when it knows too many users, and still answer every event of the batch', async () => {
    const { provider, findById } = usersProvider();
    const known: KnownUsers = new Map(Array.from({ length: 10_000 }, (_, index) => [`filler-${index}`, null] as const));
    known.set(ADA.id, ADA);
    const events = await withUsers(provider, [eventFor(ADA.id)], known);
    expect(events[0].user).toEqual({ id: ADA.id, email: ADA.email });
    expect(findById).toHaveBeenCalledWith(ADA.id);
    expect(known.size).toBe(1);
  });
});
