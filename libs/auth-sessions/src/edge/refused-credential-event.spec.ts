import type { AuthenticationResult } from '../sessions/sessions.service.js';
import { refusedCredentialEvent } from './refused-credential-event.js';

type Refusal = Extract<AuthenticationResult, { ok: false }>;
const refusal = (fields: Partial<Refusal>): Refusal => ({ ok: false, code: 'unauthenticated', ...fields });

describe('refusedCredentialEvent', () => {
  it('should name an ended session, with its reason, id and user', () => {
    expect(refusedCredentialEvent(refusal({ code: 'session_ended', reason: 'logout', ended: { id: 's1', userId: 'u1' } }), false)).toEqual({
      event: 'session_use_after_revoke',
      details: { code: 'session_ended', reason: 'logout', sessionId: 's1', userId: 'u1' },
    });
  });

  it('should name an expired session, cookie or bearer alike', () => {
    for (const isBearer of [false, true]) {
      expect(refusedCredentialEvent(refusal({ code: 'session_expired', reason: 'expired_idle' }), isBearer)?.event).toBe('session_use_after_expire');
    }
  });

  it('should log a bearer token that does not verify, and not an unknown cookie', () => {
    expect(refusedCredentialEvent(refusal({}), true)).toEqual({ event: 'authn_token_invalid', details: { code: 'unauthenticated' } });
    expect(refusedCredentialEvent(refusal({}), false)).toBeUndefined();
  });

  it('should not log an access token past its exp (the cue to refresh)', () => {
    expect(refusedCredentialEvent(refusal({ code: 'token_expired' }), true)).toBeUndefined();
  });
});
