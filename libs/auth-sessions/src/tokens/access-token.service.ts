import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type CryptoKey,
  type JWTHeaderParameters,
  type JWTPayload,
  errors as joseErrors,
  importPKCS8,
  importSPKI,
  jwtVerify,
  type KeyObject,
  SignJWT,
} from 'jose';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { Session } from '../sessions/session.entity.js';
import { SecretStore } from './secret-store.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

/** The claims of a Signoff access token. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  /** The session's secret generation when the token was signed; a rotation retires older tokens. */
  sv: number;
}

/** A verified token, or one whose only fault is its expiry (the caller then says `token_expired`). */
export type AccessTokenCheck = { status: 'valid'; claims: AccessTokenClaims } | { status: 'expired'; claims: AccessTokenClaims } | { status: 'invalid' };

type Key = CryptoKey | KeyObject | Uint8Array;
// RFC 9068 access-token type; tokens of any other type (ID tokens, logout tokens) are refused.
const TOKEN_TYPE = 'at+jwt';
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Signs and verifies access tokens with jose; the algorithm is pinned, `alg: none` never passes.
 * Each distinct token is verified in full once per instance; its claims are then reused until they
 * expire (see VerifiedTokenCache: whether the session is still active is never cached here).
 */
@Injectable()
export class AccessTokenService {
  private keys: Promise<{ signing: Key; verifying: (header: JWTHeaderParameters) => Key }> | undefined;
  private readonly verified = new VerifiedTokenCache<AccessTokenClaims>(CLOCK_TOLERANCE_SECONDS);

  constructor(
    private readonly secrets: SecretStore,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /** Lifetime of the tokens this service signs, in seconds. */
  get ttlSeconds(): number {
    return this.options.accessTokens.ttlSeconds;
  }

  /** Signs an access token for a session: `sub`, `sid`, `jti`, `iat`, `exp` and the session generation. */
  async sign(session: Session): Promise<string> {
    const { signing } = await this.loadKeys();
    const { algorithm, keyId } = this.options.accessTokens;
    return new SignJWT({ sid: session.id, sv: session.generation })
      .setProtectedHeader({ alg: algorithm, typ: TOKEN_TYPE, ...(keyId ? { kid: keyId } : {}) })
      .setSubject(session.userId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setIssuer(this.options.publicOrigin)
      .setAudience(this.options.publicOrigin)
      .sign(signing);
  }

  /** What `verify` answers for a token this instance has verified before, without waiting; undefined for any other token. */
  verifyCached(token: string): Exclude<AccessTokenCheck, { status: 'invalid' }> | undefined {
    return this.verified.get(VerifiedTokenCache.keyOf(token));
  }

  /** Verifies signature, algorithm, type, issuer, audience and times. Never throws for a bad token. */
  async verify(token: string): Promise<AccessTokenCheck> {
    const key = VerifiedTokenCache.keyOf(token);
    const earlier = this.verified.get(key);
    if (earlier) return earlier;
    const { verifying } = await this.loadKeys();
    try {
      const { payload } = await jwtVerify(token, verifying, {
        algorithms: [this.options.accessTokens.algorithm],
        typ: TOKEN_TYPE,
        issuer: this.options.publicOrigin,
        audience: this.options.publicOrigin,
        requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const claims = toClaims(payload);
      if (!claims) return { status: 'invalid' };
      this.verified.set(key, claims);
      return { status: 'valid', claims };
    } catch (error) {
      // jose reports an expired token only after the signature and every other claim checked out.
      if (error instanceof joseErrors.JWTExpired) {
        const claims = toClaims(error.payload);
        if (claims) return { status: 'expired', claims };
      }
      return { status: 'invalid' };
    }
  }

  private loadKeys() {
    this.keys ??= this.importKeys();
    this.keys.catch(() => (this.keys = undefined));
    return this.keys;
  }

  private async importKeys(): Promise<{ signing: Key; verifying: (header: JWTHeaderParameters) => Key }> {
    const { algorithm, secret, privateKey, publicKeys, keyId } = this.options.accessTokens;
    if (algorithm === 'HS256') {
      const key = secret ? new TextEncoder().encode(secret) : new Uint8Array(await this.secrets.get('jwt'));
      return { signing: key, verifying: () => key };
    }
    const signing = await importPKCS8(privateKey!, algorithm);
    const byKid = new Map<string, Key>();
    for (const [kid, pem] of Object.entries(publicKeys ?? {})) byKid.set(kid, await importSPKI(pem, algorithm));
    const { createPublicKey } = await import('node:crypto');
    const own = createPublicKey(privateKey!);
    if (keyId && !byKid.has(keyId)) byKid.set(keyId, own);
    return {
      signing,
      verifying: (header) => {
        const key = header.kid ? byKid.get(header.kid) : keyId ? undefined : own;
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key;
      },
    };
  }
}

function toClaims(payload: JWTPayload): AccessTokenClaims | null {
  const { sub, jti, iat, exp } = payload;
  const sid = payload['sid'];
  const sv = payload['sv'];
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string') return null;
  if (typeof iat !== 'number' || typeof exp !== 'number' || typeof sv !== 'number') return null;
  // Frozen: verified claims are shared by every later request that presents the same token.
  return Object.freeze({ sub, sid, jti, iat, exp, sv });
}
