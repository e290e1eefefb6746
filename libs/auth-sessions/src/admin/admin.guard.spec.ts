import type { ExecutionContext } from '@nestjs/common';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AuthenticatedRequest } from '../edge/execution-target.js';
import { type RequestAuth, requestAuth } from '../sessions/request-auth.js';
import type { SignoffUser } from '../users/users-provider.js';
import { AdminGuard } from './admin.guard.js';

const ADA: SignoffUser = { id: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f', email: 'ada@example.com', roles: ['admin'] };

function contextFor(req: Partial<AuthenticatedRequest>): ExecutionContext {
  return { getType: () => 'http', switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}) }) } as unknown as ExecutionContext;
}

function guardWith(stored: SignoffUser | null): AdminGuard {
  const users = { findById: async () => stored };
  return new AdminGuard({ users } as unknown as ResolvedAuthSessionsOptions);
}

function authAs(user: SignoffUser): RequestAuth {
  return requestAuth({} as RequestAuth['session'], user, 'cookie', new Date());
}

describe('AdminGuard', () => {
  describe('canActivate', () => {
    describe('when the request has no session', () => {
      it('should reject with 401 unauthenticated', async () => {
        await expect(guardWith(ADA).canActivate(contextFor({}))).rejects.toMatchObject({ status: 401, response: { code: 'unauthenticated' } });
      });
    });

    describe('when the host no longer has the user', () => {
      it('should reject with 401', async () => {
        await expect(guardWith(null).canActivate(contextFor({ auth: authAs(ADA) }))).rejects.toMatchObject({ status: 401 });
      });
    });

    describe('when the admin role was removed after the session was cached', () => {
      it('should reject with 403 forbidden, whatever the cached roles say', async () => {
        const demoted = { ...ADA, roles: [] };
        await expect(guardWith(demoted).canActivate(contextFor({ auth: authAs(ADA) }))).rejects.toMatchObject({ status: 403, response: { code: 'forbidden' } });
      });
    });

    describe('when the host says the user is an admin', () => {
      it('should allow the request and put the current user data on it', async () => {
        const renamed = { ...ADA, email: 'ada.lovelace@example.com' };
        const req: Partial<AuthenticatedRequest> = { auth: authAs({ ...ADA, roles: [] }) };
        await expect(guardWith(renamed).canActivate(contextFor(req))).resolves.toBe(true);
        expect(req.auth?.user).toEqual(renamed);
      });
    });
  });
});
