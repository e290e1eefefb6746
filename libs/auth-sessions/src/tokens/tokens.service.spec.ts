import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { ClientContext } from '../common/client-context.js';
import { Session } from '../sessions/session.entity.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import type { SessionRepository } from '../sessions/session.repository.js';
import type { SessionRevoker } from '../sessions/session-revoker.js';
import { generateSessionToken } from '../sessions/session-token.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { SignoffUser } from '../users/users-provider.js';
import type { AccessTokenService } from './access-token.service.js';
import type { RefreshToken } from './refresh-token.entity.js';
import type { RefreshTokenRepository } from './refresh-token.repository.js';
import type { SecretStore } from './secret-store.js';
import { type PresentedCredentials, TokensService } from './tokens.service.js';

const OWNER: SignoffUser = { id: '0b7d5a52-8a40-4bde-a0a7-7b2cf1d3c6f2', email: 'ada@example.com', roles: [] };
const OTHER: SignoffUser = { id: '9c1e4b7a-2d3f-4e5a-8b6c-7d8e9f0a1b2c', email: 'eve@example.com', roles: [] };
const CLIENT: ClientContext = { ip: '203.0.113.7', userAgent: 'curl/8.5.0', requestId: 'req-1' };

function activeSession(id: string, userId: string): Session {
  const now = Date.now();
  return Object.assign(new Session(), {
    id,
    userId,
    kind: 'bearer',
    epoch: 0,
    endedAt: null,
    lastActiveAt: new Date(now - 60_000),
    idleSeconds: 1800,
    absoluteExpiresAt: new Date(now + 3_600_000),
  });
}

const OWNER_SESSION = activeSession('4b1c2c9e-7a0f-4c59-9b55-0d9f6b1f0a11', OWNER.id);
const OWNER_OTHER_SESSION = activeSession('5c2d3d0f-8b1a-4d6a-8c66-1e0a7c2a1b22', OWNER.id);
const OTHER_SESSION = activeSession('6d3e4e1a-9c2b-4e7b-9d77-2f1b8d3b2c33', OTHER.id);

function createService() {
  const token: RefreshToken = Object.assign({} as RefreshToken, { id: 'rt-1', sessionId: OWNER_SESSION.id, usedAt: null, revokedAt: null });
  const refreshTokens = {
    findByHashForUpdate: jest.fn(async () => token),
    findByHash: jest.fn(async () => token),
    findSuccessorForUpdate: jest.fn(async () => null),
    markUsed: jest.fn(async () => undefined),
    insert: jest.fn(async () => undefined),
  };
  const sessionRepository = {
    transaction: jest.fn(async (work: (manager: unknown) => Promise<unknown>) => work({})),
    findById: jest.fn(async () => ({ session: OWNER_SESSION, userEpoch: { epoch: 0, reason: null, changedAt: null } })),
  };
  const sessions = { recordActivity: jest.fn(async () => undefined) };
  const accessTokens = { sign: jest.fn(async () => 'access-token'), ttlSeconds: 900 };
  const revoker = { revoke: jest.fn(async () => undefined), revokeInTransaction: jest.fn() };
  const secrets = { get: jest.fn(async () => Buffer.alloc(32, 1)) };
  const options = { refreshReuseGraceSeconds: 10, refreshReuseRevokes: 'session', users: { findById: jest.fn(async () => OWNER) } };
  const service = new TokensService(
    sessionRepository as unknown as SessionRepository,
    refreshTokens as unknown as RefreshTokenRepository,
    sessions as unknown as SessionsService,
    accessTokens as unknown as AccessTokenService,
    revoker as unknown as SessionRevoker,
    secrets as unknown as SecretStore,
    options as unknown as ResolvedAuthSessionsOptions,
  );
  return { service, refreshTokens, revoker, sessions };
}

const presenting = (...sessions: Session[]): PresentedCredentials =>
  sessions.map((session) => ({ session, user: session.userId === OWNER.id ? OWNER : OTHER }));

describe('TokensService', () => {
  let warn: jest.SpiedFunction<Logger['warn']>;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    warn.mockRestore();
  });

  describe('refresh', () => {
    describe('when the request presents no other credential', () => {
      it('should rotate the refresh token (possession is the proof)', async () => {
        const { service, refreshTokens } = createService();
        const pair = await service.refresh(generateSessionToken(), CLIENT);
        expect(pair).toMatchObject({ access_token: 'access-token', token_type: 'Bearer', expires_in: 900 });
        expect(refreshTokens.markUsed).toHaveBeenCalledTimes(1);
        expect(refreshTokens.insert).toHaveBeenCalledTimes(1);
        expect(warn).not.toHaveBeenCalled();
      });
    });

    describe("when the request also authenticates as the refresh token's own session", () => {
      it('should rotate the refresh token', async () => {
        const { service, refreshTokens } = createService();
        await expect(service.refresh(generateSessionToken(), CLIENT, presenting(OWNER_SESSION))).resolves.toMatchObject({ token_type: 'Bearer' });
        expect(refreshTokens.markUsed).toHaveBeenCalledTimes(1);
        expect(warn).not.toHaveBeenCalled();
      });
    });

    describe.each([
      ["another user's session", OTHER_SESSION],
      ["another session of the token's own user", OWNER_OTHER_SESSION],
    ])('when the request also authenticates as %s', (_label, foreign) => {
      it('should refuse it as an unknown token would be, rotate nothing and log a warning without token values', async () => {
        const { service, refreshTokens, sessions } = createService();
        const refreshToken = generateSessionToken();
        const refused = service.refresh(refreshToken, CLIENT, presenting(foreign));
        await expect(refused).rejects.toBeInstanceOf(SessionRejectedError);
        await expect(refused).rejects.toMatchObject({ code: 'unauthenticated' });
        expect(refreshTokens.markUsed).not.toHaveBeenCalled();
        expect(refreshTokens.insert).not.toHaveBeenCalled();
        expect(sessions.recordActivity).not.toHaveBeenCalled();
        expect(warn).toHaveBeenCalledTimes(1);
        const message = String(warn.mock.calls[0]?.[0]);
        expect(message).toContain(OWNER_SESSION.id);
        expect(message).toContain(foreign.id);
        expect(message).not.toContain(refreshToken);
      });
    });

    describe('when ambiguous session cookies present the token session and another one', () => {
      it('should refuse it', async () => {
        const { service, refreshTokens } = createService();
        await expect(service.refresh(generateSessionToken(), CLIENT, presenting(OWNER_SESSION, OTHER_SESSION))).rejects.toMatchObject({
          code: 'unauthenticated',
        });
        expect(refreshTokens.markUsed).not.toHaveBeenCalled();
      });
    });
  });

  describe('revoke', () => {
    describe('when the request presents no other credential', () => {
      it("should end the token's session with reason logout", async () => {
        const { service, revoker } = createService();
        await service.revoke(generateSessionToken(), CLIENT);
        expect(revoker.revoke).toHaveBeenCalledWith({ userId: OWNER.id, sessionIds: [OWNER_SESSION.id] }, expect.objectContaining({ reason: 'logout' }));
        expect(warn).not.toHaveBeenCalled();
      });
    });

    describe("when the request also authenticates as another session of the token's owner", () => {
      it("should end the token's session (the owner may)", async () => {
        const { service, revoker } = createService();
        await service.revoke(generateSessionToken(), CLIENT, presenting(OWNER_OTHER_SESSION));
        expect(revoker.revoke).toHaveBeenCalledTimes(1);
        expect(warn).not.toHaveBeenCalled();
      });
    });

    describe('when the request also authenticates as another user', () => {
      it('should end nothing, answer as for any token, and log a warning without token values', async () => {
        const { service, revoker } = createService();
        const refreshToken = generateSessionToken();
        await expect(service.revoke(refreshToken, CLIENT, presenting(OTHER_SESSION))).resolves.toBeUndefined();
        expect(revoker.revoke).not.toHaveBeenCalled();
        expect(warn).toHaveBeenCalledTimes(1);
        const message = String(warn.mock.calls[0]?.[0]);
        expect(message).toContain(OWNER_SESSION.id);
        expect(message).toContain(OTHER.id);
        expect(message).not.toContain(refreshToken);
      });
    });
  });
});
