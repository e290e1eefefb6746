import type { SessionWithEpoch } from '../sessions/session.repository.js';
import type { SessionEndReason } from '../sessions/session-end-reason.js';
import { expiresAtOf, sessionStateAt } from '../sessions/session-state.js';

/** A session as the device lists show it: the contract's `Session`. Never a token or a hash. */
export interface SessionResponse {
  id: string;
  current: boolean;
  device: { browser: string; os: string; type: string };
  userAgent: string;
  ip: string;
  location?: string;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  endedAt?: Date;
  endReason?: SessionEndReason;
  endedBy?: { id: string; email: string };
  /** Present when the session came through single sign-on: the provider's issuer (never its tokens). */
  sso?: { issuer: string };
}

/** Maps a row to the contract's `Session`; expired or epoch-ended rows read as ended already. */
export function toSessionResponse({ session, userEpoch }: SessionWithEpoch, currentSessionId: string | null, now: Date): SessionResponse {
  const state = sessionStateAt(session, userEpoch, now);
  const response: SessionResponse = {
    id: session.id,
    current: session.id === currentSessionId,
    device: { browser: session.browser, os: session.os, type: session.deviceType },
    userAgent: session.userAgent,
    ip: session.ip,
    createdAt: session.createdAt,
    lastActiveAt: session.lastActiveAt,
    expiresAt: expiresAtOf(session),
  };
  if (session.ssoIssuer) response.sso = { issuer: session.ssoIssuer };
  if (state.status !== 'active') {
    response.endedAt = state.endedAt;
    response.endReason = state.reason;
    if (session.endedById && session.endedByEmail) response.endedBy = { id: session.endedById, email: session.endedByEmail };
  }
  return response;
}
