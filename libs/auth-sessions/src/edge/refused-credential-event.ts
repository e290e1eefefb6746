import type { SecurityEventDetails, SecurityEventName } from '../audit/security-events.js';
import type { AuthenticationResult } from '../sessions/sessions.service.js';

type Refusal = Extract<AuthenticationResult, { ok: false }>;

/**
 * The security event (AUD-06) of a refused credential, or undefined when the refusal is not worth an
 * operator's look: a cookie or bearer token of a session that has ended or expired, and a bearer
 * token that does not verify (forged, tampered, of a superseded generation), are; an access token
 * past its `exp` (the ordinary cue to refresh) and an unknown cookie (what any browser keeps after
 * the row is pruned) are not. The details name the ended or expired session and its user.
 * @param isBearer whether the credential was a bearer token (else a session cookie)
 */
export function refusedCredentialEvent(result: Refusal, isBearer: boolean): { event: SecurityEventName; details: SecurityEventDetails } | undefined {
  const event: SecurityEventName | undefined =
    result.code === 'session_ended'
      ? 'session_use_after_revoke'
      : result.code === 'session_expired'
        ? 'session_use_after_expire'
        : isBearer && result.code === 'unauthenticated'
          ? 'authn_token_invalid'
          : undefined;
  if (!event) return undefined;
  return {
    event,
    details: {
      code: result.code,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.ended ? { sessionId: result.ended.id, userId: result.ended.userId } : {}),
    },
  };
}
