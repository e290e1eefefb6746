import { dailySeries } from './admin-overview.service.js';

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
