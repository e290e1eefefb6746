import { jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { resolveAuthSessionsOptions } from '../auth-sessions.options.js';
import { Session } from '../sessions/session.entity.js';
import type { AuthenticationResult, SessionsService } from '../sessions/sessions.service.js';
import type { SignoffUser } from '../users/users-provider.js';
import { NO_USERS } from '../users/users-provider.spec-support.js';
import { AccessTokenAuthenticator } from './access-token.authenticator.js';
import { type AccessTokenClaims, AccessTokenService } from './access-token.service.js';
import type { SecretStore } from './secret-store.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const ORIGIN = 'https://app.example.com';
const SECRET = 'a test secret that is long enough for HS256 signing';
const TOLERANCE = 5;
const USER: SignoffUser = { id: '0b7d5a52-8a40-4bde-a0a7-7b2cf1d3c6f2', email: 'ada@example.com', roles: [] };
const SESSION_ID = '4b1c2c9e-7a0f-4c59-9b55-0d9f6b1f0a11';

function claims(exp: number, sid = SESSION_ID): AccessTokenClaims {
  return { sub: USER.id, sid, jti: `jti-${sid}-${exp}`, iat: exp - 900, exp, sv: 0 };
}

function createService(): AccessTokenService {
  const options = resolveAuthSessionsOptions({
    users: NO_USERS,
    publicOrigin: ORIGIN,
    redis: { url: 'redis://localhost:6379' },
    accessTokens: { secret: SECRET, ttlSeconds: 60 },
  });
  return new AccessTokenService({} as SecretStore, options);
}

function bearerSession(): Session {
  return Object.assign(new Session(), {
    id: SESSION_ID,
    userId: USER.id,
    kind: 'bearer',
    generation: 0,
    lastActiveAt: new Date(),
    idleSeconds: 1800,
    absoluteExpiresAt: new Date(Date.now() + 3_600_000),
  });
}

describe('VerifiedTokenCache', () => {
  const nowMs = Date.UTC(2026, 0, 1, 12, 0, 0);
  const nowSeconds = nowMs / 1000;

  describe('get', () => {
    it('should answer valid for a stored token until exp plus the tolerance, then expired once, then nothing', () => {
      const cache = new VerifiedTokenCache<AccessTokenClaims>(TOLERANCE);
      const key = VerifiedTokenCache.keyOf('token-a');
      const verified = claims(nowSeconds + 60);
      cache.set(key, verified, nowMs);

      expect(cache.get(key, nowMs)).toEqual({ status: 'valid', claims: verified });
      // jose still accepts the token while exp > now - tolerance (whole seconds).
      expect(cache.get(key, (nowSeconds + 60 + TOLERANCE) * 1000 - 1)).toEqual({ status: 'valid', claims: verified });
      expect(cache.get(key, (nowSeconds + 60 + TOLERANCE) * 1000)).toEqual({ status: 'expired', claims: verified });
      expect(cache.get(key, (nowSeconds + 60 + TOLERANCE) * 1000)).toBeUndefined();
      expect(cache.size).toBe(0);
    });

    it('should never answer one token with the entry of another, even one differing in a single character', () => {
      const cache = new VerifiedTokenCache<AccessTokenClaims>(TOLERANCE);
      cache.set(VerifiedTokenCache.keyOf('header.payload.signature'), claims(nowSeconds + 60), nowMs);

      expect(cache.get(VerifiedTokenCache.keyOf('header.payload.signaturf'), nowMs)).toBeUndefined();
      expect(cache.get(VerifiedTokenCache.keyOf('header.payload.signature '), nowMs)).toBeUndefined();
      expect(cache.get(VerifiedTokenCache.keyOf('header.payload.signature'), nowMs)?.status).toBe('valid');
    });
  });

  describe('set', () => {
    it('should keep at most maxEntries, dropping the oldest first', () => {
      const cache = new VerifiedTokenCache<AccessTokenClaims>(TOLERANCE, 3);
      for (let i = 0; i < 5; i++) cache.set(`key-${i}`, claims(nowSeconds + 60 + i), nowMs);

      expect(cache.size).toBe(3);
      expect(cache.get('key-0', nowMs)).toBeUndefined();
      expect(cache.get('key-1', nowMs)).toBeUndefined();
      expect(['key-2', 'key-3', 'key-4'].map((key) => cache.get(key, nowMs)?.status)).toEqual(['valid', 'valid', 'valid']);
    });

    it('should not evict anything when an entry is stored again at the bound', () => {
      const cache = new VerifiedTokenCache<AccessTokenClaims>(TOLERANCE, 2);
      cache.set('key-0', claims(nowSeconds + 60), nowMs);
      cache.set('key-1', claims(nowSeconds + 60), nowMs);
      cache.set('key-1', claims(nowSeconds + 60), nowMs);

      expect(cache.size).toBe(2);
      expect(cache.get('key-0', nowMs)?.status).toBe('valid');
    });

    it('should sweep expired entries on insert and never store claims that are already expired', () => {
      const cache = new VerifiedTokenCache<AccessTokenClaims>(TOLERANCE);
      cache.set('short', claims(nowSeconds + 1), nowMs);
      cache.set('long', claims(nowSeconds + 600), nowMs);
      const later = (nowSeconds + 1 + TOLERANCE) * 1000;
      cache.set('late', claims(nowSeconds - TOLERANCE), later);
      cache.set('fresh', claims(nowSeconds + 900), later);

      expect(cache.size).toBe(2);
      expect(cache.get('late', later)).toBeUndefined();
      expect(cache.get('long', later)?.status).toBe('valid');
    });
  });
});

describe('AccessTokenService', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('verify', () => {
    it('should answer the same claims for a token verified earlier, and reject a token whose signature was altered', async () => {
      const service = createService();
      const token = await service.sign(bearerSession());
      const first = await service.verify(token);
      const second = await service.verify(token);

      expect(first.status).toBe('valid');
      expect(second).toEqual(first);
      const [header, payload, signature] = token.split('.');
      // A character in the middle: the last one also holds padding bits that decoding ignores.
      const altered = `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
      expect(await service.verify(altered)).toEqual({ status: 'invalid' });
      expect(await service.verify(token)).toEqual(first);
    });

    it('should check the signature once per distinct token', async () => {
      const service = createService();
      const [a, b] = [await service.sign(bearerSession()), await service.sign(bearerSession())];
      const keyLookups = jest.spyOn(service as unknown as { loadKeys: () => Promise<unknown> }, 'loadKeys');
      for (let i = 0; i < 5; i++) {
        expect((await service.verify(a)).status).toBe('valid');
        expect((await service.verify(b)).status).toBe('valid');
      }

      expect(keyLookups).toHaveBeenCalledTimes(2);
    });

    it('should not let a token signed with another key ride on a verified token with the same claims', async () => {
      const service = createService();
      const token = await service.sign(bearerSession());
      const verified = await service.verify(token);
      if (verified.status !== 'valid') throw new Error('the token should verify');
      const forged = await new SignJWT({ ...verified.claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setIssuer(ORIGIN)
        .setAudience(ORIGIN)
        .sign(new TextEncoder().encode('another secret that is also long enough for HS256'));

      expect(await service.verify(forged)).toEqual({ status: 'invalid' });
    });

    it('should report a cached token as expired once its exp has passed, with its claims', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      const service = createService();
      const token = await service.sign(bearerSession());
      expect((await service.verify(token)).status).toBe('valid');

      jest.setSystemTime(Date.now() + (60 + TOLERANCE + 1) * 1000);
      const check = await service.verify(token);

      expect(check).toMatchObject({ status: 'expired', claims: { sid: SESSION_ID, sub: USER.id } });
      // Dropped from the cache: jose checks it again and agrees.
      expect(await service.verify(token)).toEqual(check);
    });
  });
});

describe('AccessTokenAuthenticator', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  function createAuthenticator(result: () => AuthenticationResult, cached: () => AuthenticationResult | undefined = () => undefined) {
    const service = createService();
    const sessions = {
      authenticateById: jest.fn(async (_sessionId: string) => result()),
      authenticateCachedById: jest.fn((_sessionId: string) => cached()),
    };
    return { service, sessions, authenticator: new AccessTokenAuthenticator(service, sessions as unknown as SessionsService) };
  }

  it('should check the session on every request, also when the token itself was verified before', async () => {
    let active = true;
    const { service, sessions, authenticator } = createAuthenticator(() =>
      active
        ? { ok: true, session: bearerSession(), user: USER, expiresAt: new Date(Date.now() + 60_000) }
        : { ok: false, code: 'session_ended', reason: 'logout' },
    );
    const token = await service.sign(bearerSession());

    expect((await authenticator.authenticate(`Bearer ${token}`)).ok).toBe(true);
    active = false;
    expect(await authenticator.authenticate(`Bearer ${token}`)).toEqual({ ok: false, code: 'session_ended', reason: 'logout' });
    expect(sessions.authenticateById).toHaveBeenCalledTimes(2);
  });

  it('should answer token_expired for a cached token once it has expired', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { service, authenticator } = createAuthenticator(() => ({
      ok: true,
      session: bearerSession(),
      user: USER,
      expiresAt: new Date(Date.now() + 3_600_000),
    }));
    const token = await service.sign(bearerSession());
    expect((await authenticator.authenticate(`Bearer ${token}`)).ok).toBe(true);

    jest.setSystemTime(Date.now() + (60 + TOLERANCE + 1) * 1000);

    expect(await authenticator.authenticate(`Bearer ${token}`)).toEqual({ ok: false, code: 'token_expired' });
  });

  describe("authenticateCached (the guard's path without waiting)", () => {
    const active = (): AuthenticationResult => ({ ok: true, session: bearerSession(), user: USER, expiresAt: new Date(Date.now() + 60_000) });

    it('should answer nothing for a token this instance has not verified yet, however valid', async () => {
      const { service, sessions, authenticator } = createAuthenticator(active, active);
      const token = await service.sign(bearerSession());

      expect(authenticator.authenticateCached(`Bearer ${token}`)).toBeUndefined();
      expect(sessions.authenticateCachedById).not.toHaveBeenCalled();
    });

    it('should answer from both caches once the token was verified, and nothing when its session is not cached', async () => {
      let sessionCached = true;
      const { service, authenticator } = createAuthenticator(active, () => (sessionCached ? active() : undefined));
      const token = await service.sign(bearerSession());
      expect((await authenticator.authenticate(`Bearer ${token}`)).ok).toBe(true);

      expect(authenticator.authenticateCached(`Bearer ${token}`)).toMatchObject({ ok: true, session: { id: SESSION_ID } });
      sessionCached = false;
      expect(authenticator.authenticateCached(`Bearer ${token}`)).toBeUndefined();
    });

    it('should apply the same rules as authenticate: an ended session, another user, a superseded generation', async () => {
      let cached: AuthenticationResult = { ok: false, code: 'session_ended', reason: 'revoked_by_admin' };
      const { service, authenticator } = createAuthenticator(active, () => cached);
      const token = await service.sign(bearerSession());
      await authenticator.authenticate(`Bearer ${token}`);

      expect(authenticator.authenticateCached(`Bearer ${token}`)).toEqual({ ok: false, code: 'session_ended', reason: 'revoked_by_admin' });
      cached = { ok: true, session: Object.assign(bearerSession(), { userId: '9d0f3f7e-1111-4c59-9b55-0d9f6b1f0a11' }), user: USER, expiresAt: new Date() };
      expect(authenticator.authenticateCached(`Bearer ${token}`)).toEqual({ ok: false, code: 'unauthenticated' });
      cached = { ok: true, session: Object.assign(bearerSession(), { generation: 1 }), user: USER, expiresAt: new Date() };
      expect(authenticator.authenticateCached(`Bearer ${token}`)).toEqual({ ok: false, code: 'unauthenticated' });
      cached = { ok: true, session: Object.assign(bearerSession(), { kind: 'cookie' }), user: USER, expiresAt: new Date() };
      expect(authenticator.authenticateCached(`Bearer ${token}`)).toEqual({ ok: false, code: 'unauthenticated' });
    });

    it('should never answer for a token that differs from a verified one (an altered signature)', async () => {
      const { service, authenticator } = createAuthenticator(active, active);
      const token = await service.sign(bearerSession());
      await authenticator.authenticate(`Bearer ${token}`);
      const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;

      expect(authenticator.authenticateCached(`Bearer ${altered}`)).toBeUndefined();
      expect(authenticator.authenticateCached('Basic dXNlcjpwYXNz')).toBeUndefined();
    });
  });
});
