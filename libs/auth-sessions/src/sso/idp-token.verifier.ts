import { Injectable } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { ResolvedOidcProvider } from './oidc.options.js';
import { OidcProviders } from './oidc-providers.js';
import { IdpTokenRejectedError } from './sso.errors.js';

/** The back-channel logout event (OpenID Connect Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** How far `iat` may be from now, either way (the contract's 5 minutes). */
export const MAX_TOKEN_AGE_SECONDS = 300;
const MAX_TOKEN_LENGTH = 16_384;
const MAX_ID_LENGTH = 255;
// Asymmetric only: the keys come from the provider's JWKS, never from the client secret.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** A token from the provider whose signature, issuer, audience, times and `jti` checked out. */
export interface VerifiedIdpToken {
  provider: ResolvedOidcProvider;
  payload: JWTPayload & { iat: number; jti: string };
  /** Until when the token could still pass the time checks: its `jti` must be remembered until then. */
  replayWindowEndsAt: Date;
}

/** A verified logout token: who or which provider session logged out. */
export interface VerifiedLogoutToken extends VerifiedIdpToken {
  sid: string | undefined;
  subject: string | undefined;
}

/** A verified Security Event Token with its single event. */
export interface VerifiedSecurityEvent extends VerifiedIdpToken {
  eventType: string;
  event: Record<string, unknown>;
}

/**
 * Checks logout tokens (Back-Channel Logout 1.0 §2.6) and Security Event Tokens (RFC 8417, for SSF
 * push, RFC 8935) from a configured provider: a JWS (never `alg: none`, never a symmetric key)
 * signed by a key of the provider's JWKS (refetched once on an unknown `kid`), `iss` the
 * provider, `aud` containing our client id, `iat` within 5 minutes of now, `exp` (when present) in
 * the future, a `jti`; then what each kind requires. Failures throw `IdpTokenRejectedError` with a
 * description of the failed check. Replays are the caller's to refuse (in its transaction).
 */
@Injectable()
export class IdpTokenVerifier {
  constructor(private readonly providers: OidcProviders) {}

  /** A logout token: the back-channel logout event, `sid` and/or `sub`, no `nonce`, typed `logout+jwt` or untyped. */
  async verifyLogoutToken(token: unknown): Promise<VerifiedLogoutToken> {
    const verified = await this.verify(token, 'logout token', (typ) => typ === undefined || typ === 'jwt' || typ === 'logout+jwt');
    const { payload } = verified;
    const events = payload['events'];
    if (!isObject(events) || !(BACKCHANNEL_LOGOUT_EVENT in events)) {
      throw new IdpTokenRejectedError(`logout token: events must contain ${BACKCHANNEL_LOGOUT_EVENT}`);
    }
    if (!isObject(events[BACKCHANNEL_LOGOUT_EVENT])) {
      throw new IdpTokenRejectedError('logout token: the back-channel logout event must be a JSON object');
    }
    // A nonce marks an ID token: one must never be accepted as a logout token (BCL §2.6 step 5).
    if ('nonce' in payload) throw new IdpTokenRejectedError('logout token: must not contain a nonce');
    const sid = optionalId(payload['sid'], 'sid');
    const subject = optionalId(payload.sub, 'sub');
    if (sid === undefined && subject === undefined) throw new IdpTokenRejectedError('logout token: must contain sid or sub');
    return { ...verified, sid, subject };
  }

  /** A Security Event Token with exactly one event, typed `secevent+jwt` or untyped. */
  async verifySecurityEvent(token: unknown): Promise<VerifiedSecurityEvent> {
    const verified = await this.verify(token, 'SET', (typ) => typ === undefined || typ === 'secevent+jwt');
    const events = verified.payload['events'];
    if (!isObject(events)) throw new IdpTokenRejectedError('SET: events must be a JSON object');
    const types = Object.keys(events);
    if (types.length !== 1) throw new IdpTokenRejectedError('SET: events must hold exactly one event');
    const eventType = types[0];
    const event = events[eventType];
    if (!isObject(event)) throw new IdpTokenRejectedError('SET: the event must be a JSON object');
    return { ...verified, eventType, event };
  }

  private async verify(token: unknown, kind: string, isAcceptedType: (typ: string | undefined) => boolean): Promise<VerifiedIdpToken> {
    if (typeof token !== 'string' || token.length === 0) throw new IdpTokenRejectedError(`${kind} is missing`);
    if (token.length > MAX_TOKEN_LENGTH) throw new IdpTokenRejectedError(`${kind} is too long`);
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw new IdpTokenRejectedError(`${kind} is not a JWT`);
    }
    if (token.split('.').length !== 3) throw new IdpTokenRejectedError(`${kind} must be a signed JWT (JWS), not encrypted`);
    if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') throw new IdpTokenRejectedError(`${kind} is not signed (alg none)`);
    if (!ALGORITHMS.includes(header.alg)) throw new IdpTokenRejectedError(`${kind} uses an algorithm that is not accepted (${ALGORITHMS.join(', ')})`);
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
    if (!isAcceptedType(typ)) throw new IdpTokenRejectedError(`${kind} has the wrong typ (another kind of JWT)`);
    const provider = this.providers.byIssuer(claims.iss);
    if (!provider) throw new IdpTokenRejectedError(`${kind}: iss is not the configured issuer`);
    const { jwks } = await this.providers.ready(provider);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: provider.issuer, audience: provider.clientId, algorithms: ALGORITHMS }));
    } catch (error) {
      throw new IdpTokenRejectedError(`${kind}: ${describeJoseError(error)}`);
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) throw new IdpTokenRejectedError(`${kind}: iat is required`);
    if (Math.abs(now - payload.iat) > MAX_TOKEN_AGE_SECONDS) throw new IdpTokenRejectedError(`${kind}: iat is more than 5 minutes from now`);
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_ID_LENGTH) throw new IdpTokenRejectedError(`${kind}: jti is required`);
    const windowEnds = Math.max(payload.iat + MAX_TOKEN_AGE_SECONDS, now) + 60;
    return { provider, payload: { ...payload, iat: payload.iat, jti }, replayWindowEndsAt: new Date(windowEnds * 1000) };
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'exp is in the past (expired)';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'aud does not contain the client id';
    if (error.claim === 'iss') return 'iss is not the configured issuer';
    return `the ${error.claim} claim is invalid (${error.reason})`;
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "no key of the issuer's JWKS matches (unknown kid)";
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return "several keys of the issuer's JWKS match and none verifies";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the algorithm is not accepted';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JOSEError) return `could not be verified (${error.code})`;
  return 'could not be verified';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalId(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new IdpTokenRejectedError(`logout token: ${name} must be a non-empty string`);
  }
  return value;
}
