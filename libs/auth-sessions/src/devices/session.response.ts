import type { SessionWithEpoch } from '../sessions/session.repository.js';
import { expiresAtOf, sessionStateAt } from '../sessions/session-state.js';
import type { SessionShape } from './session.shape.js';

/** A session as the device lists show it: the contract's `Session`. Never a token or a hash. */
export type SessionResponse = SessionShape<Date>;

/** Maps a row to the contract's `Session`; expired or epoch-ended rows read as ended already. */
export function toSessionResponse({ session, userEpoch }: SessionWithEpoch, currentSessionId: string | null, now: Date): SessionResponse {
  const state = sessionStateAt(session, userEpoch, now);
  const response: SessionResponse = {
    id: session.id,
    current: session.id === currentSessionId,
    device: { browser: session.browser, os: session.os, type: session.deviceType },
    userAgent: session.userAgent,
    ip: session.ip,
    ...(session.location ? { location: session.location } : {}),
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
