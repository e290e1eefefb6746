import { SESSION_END_REASONS, type SessionEndReason } from '@signoff/auth-sessions-api-types';

/** Why a session ended: the contract's Reasons, from the library itself. */
export { SESSION_END_REASONS, type SessionEndReason };

export function isSessionEndReason(value: unknown): value is SessionEndReason {
  return typeof value === 'string' && (SESSION_END_REASONS as readonly string[]).includes(value);
}

/** The contract's `Session`: one device of a user. Every string in it may come from an attacker. */
export interface Session {
  id: string;
  current: boolean;
  device: { browser: string; os: string; type: string };
  userAgent: string;
  ip: string;
  location?: string;
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string;
  endedAt?: string;
  endReason?: SessionEndReason;
  endedBy?: { id: string; email: string };
  /** Present when the session came through single sign-on: the provider's issuer. */
  sso?: { issuer: string };
}

export interface SessionList {
  sessions: Session[];
}

export interface RevokedCount {
  revoked: number;
}

/** Active sessions first (the API's order), then the ended ones, newest first. */
export function splitSessions(sessions: readonly Session[]): { active: Session[]; ended: Session[] } {
  const active = sessions.filter((session) => !session.endedAt);
  const ended = sessions
    .filter((session) => !!session.endedAt)
    .sort((a, b) => Date.parse(b.endedAt ?? '') - Date.parse(a.endedAt ?? ''));
  return { active, ended };
}
