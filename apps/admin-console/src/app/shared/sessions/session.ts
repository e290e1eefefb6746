import { SESSION_END_REASONS, type RevokedCountShape, type SessionEndReason, type SessionListShape, type SessionShape } from '@signoff/auth-sessions-api-types';

/** Why a session ended: the contract's Reasons, from the library itself. */
export { SESSION_END_REASONS, type SessionEndReason };

export function isSessionEndReason(value: unknown): value is SessionEndReason {
  return typeof value === 'string' && (SESSION_END_REASONS as readonly string[]).includes(value);
}

/** The contract's `Session` as the browser reads it (times are ISO strings); declared once, in the library. */
export type Session = SessionShape;
export type SessionList = SessionListShape;
export type RevokedCount = RevokedCountShape;

/** Active sessions first (the API's order), then the ended ones, newest first. */
export function splitSessions(sessions: readonly Session[]): { active: Session[]; ended: Session[] } {
  const active = sessions.filter((session) => !session.endedAt);
  const ended = sessions.filter((session) => !!session.endedAt).sort((a, b) => Date.parse(b.endedAt ?? '') - Date.parse(a.endedAt ?? ''));
  return { active, ended };
}
