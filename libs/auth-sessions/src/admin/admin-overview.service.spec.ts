import type { AuditLogService } from '../audit/audit-log.service.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { ClientContext } from '../common/client-context.js';
import type { AdminOverviewRepository } from './admin-overview.repository.js';
import { AdminOverviewService, CLOSED_DAYS_TTL_MS, dailySeries } from './admin-overview.service.js';

describe('dailySeries', () => {
  const from = new Date('2026-03-01T00:00:00Z');

  it('should give 30 UTC days, oldest first, and walk open sessions back from now', () => {
    const days = dailySeries(
      from,
      10,
      [
        { day: '2026-03-30', sessions: 4 },
        { day: '2026-03-29', sessions: 3 },
      ],
      [
        { day: '2026-03-30', reason: 'logout', sessions: 2 },
        { day: '2026-03-30', reason: 'expired_idle', sessions: 1 },
        { day: '2026-03-29', reason: 'revoked_by_admin', sessions: 5 },
      ],
    );
    expect(days).toHaveLength(30);
    expect(days[0].day).toBe('2026-03-01');
    expect(days[29]).toEqual({ day: '2026-03-30', activeSessions: 10, signIns: 4, signOuts: { logout: 2, expired_idle: 1 } });
    // End of the 29th: the 4 opened on the 30th were not open yet, the 3 ended on the 30th still were.
    expect(days[28]).toEqual({ day: '2026-03-29', activeSessions: 9, signIns: 3, signOuts: { revoked_by_admin: 5 } });
    expect(days[27].activeSessions).toBe(11);
  });

  it('should ignore rows outside the window', () => {
    const days = dailySeries(from, 0, [{ day: '2026-02-28', sessions: 9 }], []);
    expect(days.every((day) => day.signIns === 0)).toBe(true);
  });
});

describe('AdminOverviewService', () => {
  const admin = { userId: 'a-1', email: 'admin@example.com', sessionId: 's-1' };
  const client = { ip: '127.0.0.1', userAgent: 'Test/1.0' } as unknown as ClientContext;

  function service() {
    const ranges: Array<[string, string, string]> = [];
    let failNext = false;
    const range = (kind: string) => async (from: Date, until: Date) => {
      ranges.push([kind, from.toISOString().slice(0, 10), until.toISOString().slice(0, 10)]);
      if (failNext) {
        failNext = false;
        throw new Error('PostgreSQL is down');
      }
      return [];
    };
    const overviews = {
      activeByDeviceAndPlace: async () => [],
      openSessions: async () => 0,
      signInsByDay: range('signIns'),
      signOutsByDay: range('signOuts'),
      recentRevocations: async () => [],
    } as unknown as AdminOverviewRepository;
    const auditLog = { recordAlone: async () => undefined } as unknown as AuditLogService;
    const options = { users: { findById: async () => null } } as unknown as ResolvedAuthSessionsOptions;
    const closedCounts = () => ranges.filter(([, from, until]) => from !== until && until !== addDay(from)).length;
    return {
      overview: new AdminOverviewService(overviews, auditLog, options),
      ranges,
      closedCounts,
      failNextCount: () => (failNext = true),
    };
  }
  const addDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const at = (iso: string) => new Date(iso);

  it('should count the 29 closed days once and today on every call', async () => {
    const { overview, ranges, closedCounts } = service();
    await overview.overview(admin, client, at('2026-03-30T10:00:00Z'));
    await overview.overview(admin, client, at('2026-03-30T10:04:00Z'));
    expect(closedCounts()).toBe(2); // sign-ins and sign-outs, once
    expect(ranges).toContainEqual(['signIns', '2026-03-01', '2026-03-30']);
    expect(ranges.filter(([, from, until]) => from === '2026-03-30' && until === '2026-03-31')).toHaveLength(4);
  });

  it('should count the closed days again when they are older than the TTL or the day rolled over', async () => {
    const { overview, ranges, closedCounts } = service();
    await overview.overview(admin, client, at('2026-03-30T10:00:00Z'));
    await overview.overview(admin, client, new Date(at('2026-03-30T10:00:00Z').getTime() + CLOSED_DAYS_TTL_MS));
    expect(closedCounts()).toBe(4);
    await overview.overview(admin, client, at('2026-03-31T00:00:01Z'));
    expect(closedCounts()).toBe(6);
    expect(ranges).toContainEqual(['signOuts', '2026-03-02', '2026-03-31']);
  });

  it('should share one count between concurrent calls and not keep a failed one', async () => {
    const { overview, closedCounts, failNextCount } = service();
    const now = at('2026-03-30T10:00:00Z');
    await Promise.all([overview.overview(admin, client, now), overview.overview(admin, client, now)]);
    expect(closedCounts()).toBe(2);

    const later = new Date(now.getTime() + CLOSED_DAYS_TTL_MS);
    failNextCount();
    await expect(overview.overview(admin, client, later)).rejects.toThrow('PostgreSQL is down');
    await overview.overview(admin, client, later);
    expect(closedCounts()).toBe(6);
  });
});
