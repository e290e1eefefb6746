import { Injectable } from '@nestjs/common';
import { BearerAuthenticator } from '../sessions/bearer-authenticator.js';
import { type AuthenticationResult, SessionsService } from '../sessions/sessions.service.js';
import { type AccessTokenCheck, AccessTokenService } from './access-token.service.js';

// RFC 6750 b64token, bounded so an oversized header never reaches the JWT parser.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]{1,4096}=*)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves `Authorization: Bearer <access token>`: the JWT must verify, and the session named by its
 * `sid` must still be active in PostgreSQL right now, so ending the session rejects the token at
 * once on every instance (no window until `exp`, no jti denylist).
 */
@Injectable()
export class AccessTokenAuthenticator extends BearerAuthenticator {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly sessions: SessionsService,
  ) {
    super();
  }

  async authenticate(authorization: string): Promise<AuthenticationResult> {
    const match = BEARER.exec(authorization);
    if (!match) return { ok: false, code: 'unauthenticated' };
    const check = await this.accessTokens.verify(match[1]);
    if (check.status === 'invalid' || !UUID.test(check.claims.sid)) return { ok: false, code: 'unauthenticated' };
    return judge(check, await this.sessions.authenticateById(check.claims.sid));
  }

  override authenticateCached(authorization: string): AuthenticationResult | undefined {
    const match = BEARER.exec(authorization);
    if (!match) return undefined;
    const check = this.accessTokens.verifyCached(match[1]);
    // A token verified before has a well-formed sid (the same rule as `authenticate`).
    if (!check || !UUID.test(check.claims.sid)) return undefined;
    const result = this.sessions.authenticateCachedById(check.claims.sid);
    return result && judge(check, result);
  }
}

/** A verified token's answer, given its session's: the token must belong to that bearer session, at its generation. */
function judge(check: Exclude<AccessTokenCheck, { status: 'invalid' }>, result: AuthenticationResult): AuthenticationResult {
  if (!result.ok) return result;
  if (result.session.userId !== check.claims.sub || result.session.kind !== 'bearer') return { ok: false, code: 'unauthenticated' };
  // A rotation (reauth, credential change) retires every token signed before it: superseded, not expired.
  if (check.claims.sv !== result.session.generation) return { ok: false, code: 'unauthenticated' };
  if (check.status === 'expired') return { ok: false, code: 'token_expired' };
  return result;
}
