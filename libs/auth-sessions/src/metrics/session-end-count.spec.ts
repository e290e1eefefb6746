import { countEndedSessions } from './session-end-count.js';

describe('countEndedSessions', () => {
  describe('when records end sessions one by one', () => {
    it('should count one per logout, revocation and expiry, by reason', () => {
      const counts = countEndedSessions([
        { type: 'logout', reason: 'logout' },
        { type: 'session_revoked', reason: 'revoked_by_admin' },
        { type: 'session_revoked', reason: 'revoked_by_admin' },
        { type: 'session_revoked', reason: 'replaced' },
        { type: 'session_expired', reason: 'expired_idle' },
      ]);
      expect(Object.fromEntries(counts)).toEqual({ logout: 1, revoked_by_admin: 2, replaced: 1, expired_idle: 1 });
    });
  });

  describe('when a record carries a count', () => {
    it('should add the count of logout_everywhere and refresh-token reuse', () => {
      const counts = countEndedSessions([
        { type: 'logout_everywhere', reason: 'password_change', metadata: { count: 3 } },
        { type: 'logout_everywhere', reason: 'logout_everywhere', metadata: { sessionIds: ['a', 'b'] } },
        { type: 'refresh_token_reuse', reason: 'refresh_token_reuse', metadata: { endedSessionIds: ['a'] } },
      ]);
      expect(Object.fromEntries(counts)).toEqual({ password_change: 3, logout_everywhere: 2, refresh_token_reuse: 1 });
    });
  });

  describe('when records end nothing themselves', () => {
    it('should count nothing for reads, sign-ins, the filter summary or unknown reasons', () => {
      const counts = countEndedSessions([
        { type: 'login' },
        { type: 'audit_read' },
        { type: 'sessions_revoked_by_filter', reason: 'revoked_by_admin', metadata: { count: 12 } },
        { type: 'session_revoked', reason: 'made_up' },
        { type: 'logout_everywhere', reason: 'logout_everywhere', metadata: { count: 0 } },
      ]);
      expect(counts.size).toBe(0);
    });
  });
});
