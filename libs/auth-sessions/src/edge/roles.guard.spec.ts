import type { ExecutionContext } from '@nestjs/common';
import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { WsException } from '@nestjs/websockets';
import { type RequestAuth, requestAuth } from '../sessions/request-auth.js';
import type { Session } from '../sessions/session.entity.js';
import type { SignoffUser } from '../users/users-provider.js';
import { Roles } from './auth.decorators.js';
import { type AuthenticatedConnection, type AuthenticatedRequest, authOf, CONNECTION_AUTH } from './execution-target.js';
import { RolesGuard } from './roles.guard.js';

const ADMIN: SignoffUser = { id: '4f0c6a1e-7d2b-4c89-a3e5-9b1d2c3e4f50', email: 'grace@example.com', roles: ['admin'] };

@Controller()
class Routes {
  @Get('admin')
  @Roles('admin')
  admin(): void {}

  @Get('open')
  open(): void {}
}

function contextFor(handler: 'admin' | 'open', req: Partial<AuthenticatedRequest>): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ headers: {}, ...req }), getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
}

function gatewayContextFor(handler: 'admin' | 'open', client: AuthenticatedConnection): ExecutionContext {
  return {
    getType: () => 'ws',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToWs: () => ({ getClient: () => client, getData: () => ({}), getPattern: () => handler }),
  } as unknown as ExecutionContext;
}

function rpcContextFor(handler: 'admin' | 'open'): ExecutionContext {
  return {
    getType: () => 'rpc',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToRpc: () => ({ getData: () => ({}), getContext: () => ({}) }),
  } as unknown as ExecutionContext;
}

const signedIn = (user: SignoffUser): RequestAuth => requestAuth({ id: 's1' } as Session, user, 'cookie', new Date(Date.now() + 60_000));

describe('RolesGuard', () => {
  const guard = new RolesGuard(new Reflector());

  it('should let a route without @Roles() through, signed in or not', () => {
    expect(guard.canActivate(contextFor('open', {}))).toBe(true);
  });

  it('should allow a caller the library signed in with the role', () => {
    expect(guard.canActivate(contextFor('admin', { auth: signedIn(ADMIN) }))).toBe(true);
  });

  it('should answer 403 forbidden to a caller without the role', () => {
    expect(() => guard.canActivate(contextFor('admin', { auth: signedIn({ ...ADMIN, roles: [] }) }))).toThrow(
      expect.objectContaining({ status: 403, response: expect.objectContaining({ code: 'forbidden' }) }),
    );
  });

  // A host that binds RolesGuard where SessionGuard did not run (globalGuard: false) and has another
  // middleware writing req.auth (express-jwt puts a token's claims there) must not grant the role.
  it('should answer 401 to a req.auth the library did not set, even one shaped like its own', () => {
    const forged = { session: { id: 's1' } as Session, user: ADMIN, method: 'cookie' as const, expiresAt: new Date(Date.now() + 60_000) };

    expect(() => guard.canActivate(contextFor('admin', { auth: forged }))).toThrow(
      expect.objectContaining({ status: 401, response: expect.objectContaining({ code: 'unauthenticated' }) }),
    );
  });

  // Nest's gateway exception filter passes only a WsException to the client; any other error
  // reached it as "Internal server error", and was logged with its stack as a crash.
  it('should refuse a gateway message with a WsException that carries the HTTP answer', async () => {
    const client: AuthenticatedConnection = { [CONNECTION_AUTH]: signedIn({ ...ADMIN, roles: [] }) };

    const refusal = await Promise.resolve(guard.canActivate(gatewayContextFor('admin', client))).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(refusal).toBeInstanceOf(WsException);
    expect((refusal as WsException).getError()).toEqual({ status: 'error', statusCode: 403, message: 'This needs the admin role.', code: 'forbidden' });
    expect(guard.canActivate(gatewayContextFor('admin', { [CONNECTION_AUTH]: signedIn(ADMIN) }))).toBe(true);
  });

  // Nest's RPC exception filter likewise: only an RpcException reaches the client as itself.
  it('should refuse a microservice message to a @Roles() handler with an RpcException: 401, no session there', async () => {
    const refusal = await Promise.resolve(guard.canActivate(rpcContextFor('admin'))).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(refusal).toBeInstanceOf(RpcException);
    expect((refusal as RpcException).getError()).toEqual({ status: 'error', statusCode: 401, message: expect.any(String), code: 'unauthenticated' });
    expect(guard.canActivate(rpcContextFor('open'))).toBe(true);
  });
});

describe('authOf', () => {
  it("should be the library's auth, kept through a copy (a guard that re-read the user)", () => {
    const auth = signedIn(ADMIN);

    expect(authOf(contextFor('open', { auth }))).toBe(auth);
    expect(authOf(contextFor('open', { auth: { ...auth, user: { ...ADMIN, roles: [] } } }))?.user.roles).toEqual([]);
  });

  it('should be nothing for a value something else put under req.auth (what @CurrentUser() reads)', () => {
    const foreign = { sub: ADMIN.id, user: ADMIN, session: { id: 's1' } } as unknown as RequestAuth;

    expect(authOf(contextFor('open', { auth: foreign }))).toBeUndefined();
  });
});
