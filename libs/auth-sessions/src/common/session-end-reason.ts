/** Why a session ended: the contract's Reasons, used in sessions, 401 bodies, logout events and audit. */
export const SESSION_END_REASONS = [
  'logout',
  'logout_everywhere',
  'revoked_by_user',
  'revoked_by_admin',
  'password_change',
  'email_change',
  'security_concern',
  'refresh_token_reuse',
  'expired_idle',
  'expired_absolute',
  'replaced',
  // The identity provider ended it (OIDC back-channel logout, a Shared Signals session-revoked event).
  'idp_logout',
] as const;

export type SessionEndReason = (typeof SESSION_END_REASONS)[number];
