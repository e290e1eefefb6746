import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { resolveAuthSessionsOptions } from '../auth-sessions.options.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import type { SessionBus, SessionChange } from '../sessions/session-bus.js';
import { Session } from '../sessions/session.entity.js';
import { CrossSiteRequestError, SessionRejectedError, StoreUnavailableError } from '../sessions/session.errors.js';
import { generateSessionToken } from '../sessions/session-token.js';
import type { AuthenticationResult, SessionsService } from '../sessions/sessions.service.js';
import type { SignoffUser } from '../users/users-provider.js';
import { NO_USERS } from '../users/users-provider.spec-support.js';
import { ConnectionSessions } from './connection-sessions.js';
import { CONNECTION_AUTH } from './execution-target.js';
import { HttpEdge } from './http-edge.js';
import { SessionCookies } from './session-cookies.js';

const PUBLIC_ORIGIN = 'https://app.example.com';
const USER: SignoffUser = { id: '0b7d5a52-8a40-4bde-a0a7-7b2cf1d3c6f2', email: 'ada@example.com', roles: [] };

function sessionWithId(id: string): Session {
  return Object.assign(new Session(), {
    id,
    userId: USER.id,
    kind: 'cookie',
    lastActiveAt: new Date(),
    idleSeconds: 1800,
    absoluteExpiresAt: new Date(Date.now() + 3_600_000),
  });
}

const SESSION = sessionWithId('4b1c2c9e-7a0f-4c59-9b55-0d9f6b1f0a11');
const OK: AuthenticationResult = { ok: true, session: SESSION, user: USER, expiresAt: new Date(Date.now() + 1_800_000) };

/** A stand-in for a `ws` WebSocket: an EventEmitter with close(), pause() and resume(). */
class FakeWebSocket extends EventEmitter {
  readyState = 1;
  readonly close = jest.fn((code: number, reason: string) => {
    this.readyState = 2;
    this.emit('close', code, reason);
  });
  readonly pause = jest.fn();
  readonly resume = jest.fn();
}

/** A stand-in for a socket.io server Socket. */
class FakeSocketIo extends EventEmitter {
  connected = true;
  readonly handshake: { auth: Record<string, unknown> };
  readonly request: { headers: Record<string, string> };
  readonly sent: Array<[string, unknown]> = [];
  readonly disconnect = jest.fn((_close?: boolean) => {
    this.connected = false;
    super.emit('disconnect', 'server namespace disconnect');
  });

  constructor(headers: Record<string, string> = {}, auth: Record<string, unknown> = {}) {
    super();
    this.request = { headers };
    this.handshake = { auth };
  }

  override emit(event: string, ...args: unknown[]): boolean {
    if (event !== 'disconnect') this.sent.push([event, args[0]]);
    return super.emit(event, ...args);
  }
}

function createService(options: { heartbeatMs?: number } = {}) {
  let busListener: ((change: SessionChange) => void) | undefined;
  const bus = { onChange: (listener: (change: SessionChange) => void) => (busListener = listener) } as unknown as SessionBus;
  const sessions = {
    authenticate: jest.fn(async (_token: string): Promise<AuthenticationResult> => OK),
    authenticateById: jest.fn(async (_id: string): Promise<AuthenticationResult> => OK),
    recordActivity: jest.fn(async (_session: Session) => undefined),
  };
  const bearer = { authenticate: jest.fn(async (_authorization: string): Promise<AuthenticationResult> => OK), authenticateCached: () => undefined };
  const resolved = resolveAuthSessionsOptions({
    users: NO_USERS,
    publicOrigin: PUBLIC_ORIGIN,
    redis: { url: 'redis://localhost:6379' },
    eventsHeartbeatMs: options.heartbeatMs ?? 25_000,
  });
  const edge = new HttpEdge({ httpAdapter: {} } as unknown as HttpAdapterHost);
  const service = new ConnectionSessions(bus, sessions as unknown as SessionsService, bearer, new SessionCookies(edge, resolved), edge, resolved);
  const announce = (change: Partial<SessionChange>) =>
    busListener!({ userId: USER.id, sessionIds: [], reason: 'logout', allOfUser: false, exceptSessionId: null, ...change });
  return { service, sessions, bearer, announce };
}

const authFor = (session: Session = SESSION): RequestAuth => ({ session, user: USER, method: 'cookie', expiresAt: new Date(Date.now() + 60_000) });

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('ConnectionSessions', () => {
  const services: ConnectionSessions[] = [];
  const tracked = (created: ReturnType<typeof createService>) => {
    services.push(created.service);
    return created;
  };
  const token = generateSessionToken();

  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.onApplicationShutdown()));
  });

  describe('authenticate (the handshake)', () => {
    it('should authenticate by the session cookie when the upgrade has no Origin or the public origin', async () => {
      const { service, sessions } = tracked(createService());

      for (const headers of [{ cookie: `sid=${token}` }, { cookie: `sid=${token}`, origin: PUBLIC_ORIGIN }]) {
        await expect(service.authenticate({ headers })).resolves.toMatchObject({ session: SESSION, method: 'cookie' });
      }
      expect(sessions.authenticate).toHaveBeenCalledWith(token);
      expect(sessions.recordActivity).toHaveBeenCalledWith(SESSION);
    });

    it('should refuse a valid cookie sent from another Origin with 403 origin_not_allowed', async () => {
      const { service } = tracked(createService());

      const error = await rejectionOf(service.authenticate({ headers: { cookie: `sid=${token}`, origin: 'https://evil.example' } }));

      expect(error).toBeInstanceOf(CrossSiteRequestError);
    });

    it('should refuse an upgrade that repeats the Authorization header with 401 unauthenticated (ROB-01)', async () => {
      const { service, bearer } = tracked(createService());

      const error = await rejectionOf(
        service.authenticate({ headers: { authorization: 'Bearer abc' }, rawHeaders: ['Authorization', 'Bearer abc', 'authorization', 'Bearer other'] }),
      );

      expect(error).toBeInstanceOf(SessionRejectedError);
      expect(bearer.authenticate).not.toHaveBeenCalled();
    });

    it('should authenticate by the Authorization header alone, ignoring the cookie and the Origin', async () => {
      const { service, sessions, bearer } = tracked(createService());

      const auth = await service.authenticate({ headers: { authorization: 'Bearer abc', cookie: `sid=${token}`, origin: 'https://evil.example' } });

      expect(auth.method).toBe('bearer');
      expect(bearer.authenticate).toHaveBeenCalledWith('Bearer abc');
      expect(sessions.authenticate).not.toHaveBeenCalled();
    });

    it.each([
      [{ authorization: 'Bearer from-params' }, 'Bearer from-params'],
      [{ Authorization: 'Bearer from-params' }, 'Bearer from-params'],
      [{ token: 'bare-token' }, 'Bearer bare-token'],
    ])('should read a bearer from the connection payload %j', async (payload, expected) => {
      const { service, bearer } = tracked(createService());

      await service.authenticate({ headers: {} }, { payload });

      expect(bearer.authenticate).toHaveBeenCalledWith(expected);
    });

    // A credential that is there but not a string is not "no credential": the cookie must not answer for it.
    it.each([[{ authorization: 42 }], [{ Authorization: {} }], [{ authorization: null }], [{ token: null }], [{ token: ['a'] }]])(
      'should refuse a payload credential that is not a string %j, whatever cookie comes with it',
      async (payload) => {
        const { service, sessions, bearer } = tracked(createService());
        bearer.authenticate.mockResolvedValue({ ok: false, code: 'unauthenticated' } as never);

        const error = await rejectionOf(service.authenticate({ headers: { cookie: `sid=${token}` } }, { payload }));

        expect(error).toMatchObject({ code: 'unauthenticated' });
        expect(bearer.authenticate).toHaveBeenCalledWith('');
        expect(sessions.authenticate).not.toHaveBeenCalled();
      },
    );

    it('should take a payload without a credential (or one left undefined) as none, and read the cookie', async () => {
      const { service, sessions, bearer } = tracked(createService());

      for (const payload of [{}, { token: undefined }, { other: 'value' }]) {
        expect((await service.authenticate({ headers: { cookie: `sid=${token}` } }, { payload })).method).toBe('cookie');
      }
      expect(bearer.authenticate).not.toHaveBeenCalled();
      expect(sessions.authenticate).toHaveBeenCalledTimes(3);
    });

    it("should refuse without credentials (401 'unauthenticated') and an ended session with its code and reason", async () => {
      const { service, sessions } = tracked(createService());
      sessions.authenticate.mockResolvedValue({ ok: false, code: 'session_ended', reason: 'revoked_by_admin' });

      const anonymous = await rejectionOf(service.authenticate({ headers: {} }));
      const ended = await rejectionOf(service.authenticate({ headers: { cookie: `sid=${token}` } }));

      expect((anonymous as SessionRejectedError).code).toBe('unauthenticated');
      expect(ended).toMatchObject({ code: 'session_ended', reason: 'revoked_by_admin' });
    });

    it('should turn a store outage into 503, never a driver error', async () => {
      const { service, sessions } = tracked(createService());
      sessions.authenticate.mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));

      expect(await rejectionOf(service.authenticate({ headers: { cookie: `sid=${token}` } }))).toBeInstanceOf(StoreUnavailableError);
    });
  });

  describe('track (an open connection)', () => {
    it('should keep the auth on the connection and close it with 4401 and the reason when its session ends on any instance', async () => {
      const { service, announce } = tracked(createService());
      const socket = new FakeWebSocket();
      service.track(socket, authFor());

      expect((socket as unknown as Record<symbol, unknown>)[CONNECTION_AUTH]).toMatchObject({ session: SESSION });
      announce({ sessionIds: ['another-session'] });
      expect(socket.close).not.toHaveBeenCalled();
      announce({ sessionIds: [SESSION.id], reason: 'revoked_by_admin' });

      expect(socket.close).toHaveBeenCalledWith(4401, 'revoked_by_admin');
      expect(service.size).toBe(0);
    });

    it("should close every connection of the user on logout everywhere, except the kept session's, and none on a rotation", async () => {
      const { service, announce } = tracked(createService());
      const kept = sessionWithId('6f1d2b5e-0000-4000-8000-000000000001');
      const [current, other] = [new FakeWebSocket(), new FakeWebSocket()];
      service.track(current, authFor(kept));
      service.track(other, authFor());

      announce({ sessionIds: [SESSION.id], reason: null });
      expect(other.close).not.toHaveBeenCalled();
      announce({ allOfUser: true, exceptSessionId: kept.id, reason: 'password_change' });

      expect(other.close).toHaveBeenCalledWith(4401, 'password_change');
      expect(current.close).not.toHaveBeenCalled();
    });

    it('should tell a socket.io socket `logout` with the reason, then disconnect it (socket.io has no close codes)', () => {
      const { service, announce } = tracked(createService());
      const socket = new FakeSocketIo();
      service.track(socket, authFor());

      announce({ sessionIds: [SESSION.id], reason: 'logout' });

      expect(socket.sent).toEqual([['logout', { reason: 'logout' }]]);
      expect(socket.disconnect).toHaveBeenCalledWith(true);
    });

    it('should re-check every session at each heartbeat and close one that ended without a bus message', async () => {
      const { service, sessions } = tracked(createService({ heartbeatMs: 20 }));
      const socket = new FakeWebSocket();
      service.track(socket, authFor());
      sessions.authenticateById.mockResolvedValue({ ok: false, code: 'session_expired', reason: 'expired_idle' });

      for (let waited = 0; waited < 1000 && socket.close.mock.calls.length === 0; waited += 20) await delay(20);

      expect(socket.close).toHaveBeenCalledWith(4401, 'expired_idle');
    });

    it('should keep a connection open across heartbeats while the store cannot be reached', async () => {
      const { service, sessions } = tracked(createService({ heartbeatMs: 20 }));
      const socket = new FakeWebSocket();
      service.track(socket, authFor());
      sessions.authenticateById.mockRejectedValue(new Error('connect ECONNREFUSED'));

      await delay(100);

      expect(sessions.authenticateById).toHaveBeenCalled();
      expect(socket.close).not.toHaveBeenCalled();
    });

    it('should forget a connection once it closes', () => {
      const { service } = tracked(createService());
      const socket = new FakeWebSocket();
      service.track(socket, authFor());

      socket.emit('close', 1000, '');

      expect(service.size).toBe(0);
    });
  });

  describe('accept (a ws gateway, in handleConnection)', () => {
    it('should hold messages back (pause) until the handshake is authenticated, then track and resume', async () => {
      const { service } = tracked(createService());
      const socket = new FakeWebSocket();

      const accepted = service.accept(socket, { headers: { cookie: `sid=${token}` } });
      expect(socket.pause).toHaveBeenCalled();
      expect(socket.resume).not.toHaveBeenCalled();

      await expect(accepted).resolves.toMatchObject({ session: SESSION });
      expect(socket.resume).toHaveBeenCalled();
      expect(service.size).toBe(1);
    });

    it('should close a refused handshake with 4401 and the code before resuming it (so the closing handshake completes)', async () => {
      const { service } = tracked(createService());
      const socket = new FakeWebSocket();

      await expect(service.accept(socket, { headers: {} })).resolves.toBeUndefined();

      expect(socket.close).toHaveBeenCalledWith(4401, 'unauthenticated');
      expect(socket.close.mock.invocationCallOrder[0]).toBeLessThan(socket.resume.mock.invocationCallOrder[0]);
      expect(socket[CONNECTION_AUTH as unknown as keyof FakeWebSocket]).toBeUndefined();
      expect(service.size).toBe(0);
    });

    it('should close with 1011 and not throw when the check fails for another reason', async () => {
      const { service, sessions } = tracked(createService());
      sessions.authenticate.mockRejectedValue(new Error('the users provider failed'));
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const socket = new FakeWebSocket();

      await expect(service.accept(socket, { headers: { cookie: `sid=${token}` } })).resolves.toBeUndefined();

      expect(socket.close).toHaveBeenCalledWith(1011, 'internal_error');
      expect(logged).toHaveBeenCalled();
      logged.mockRestore();
    });
  });

  describe('socketIoMiddleware (a socket.io gateway)', () => {
    it('should accept and track a socket whose handshake auth carries a token', async () => {
      const { service, bearer } = tracked(createService());
      const socket = new FakeSocketIo({}, { token: 'abc' });
      const next = jest.fn((_error?: Error) => undefined);

      service.socketIoMiddleware()(socket, next);
      await delay(10);

      expect(bearer.authenticate).toHaveBeenCalledWith('Bearer abc');
      expect(next).toHaveBeenCalledWith();
      expect(service.size).toBe(1);
    });

    it('should refuse with connect_error data { code, reason } before the connection is made', async () => {
      const { service } = tracked(createService());
      const socket = new FakeSocketIo({ cookie: `sid=${token}`, origin: 'https://evil.example' });
      const next = jest.fn((_error?: Error) => undefined);

      service.socketIoMiddleware()(socket, next);
      await delay(10);

      const error = next.mock.calls[0][0] as Error & { data?: unknown };
      expect(error.message).toBe('origin_not_allowed');
      expect(error.data).toEqual({ code: 4403, reason: 'origin_not_allowed' });
      expect(service.size).toBe(0);
    });
  });

  // Before Nest closes the gateways' servers (between beforeApplicationShutdown and onApplicationShutdown).
  describe('beforeApplicationShutdown', () => {
    it('should close every connection with 1001 so clients reconnect to another instance', async () => {
      const { service } = createService();
      const socket = new FakeWebSocket();
      const io = new FakeSocketIo();
      service.track(socket, authFor());
      service.track(io, authFor());

      await service.beforeApplicationShutdown();

      expect(socket.close).toHaveBeenCalledWith(1001, 'server_shutdown');
      expect(io.sent).toEqual([['reconnect', { reason: 'server_shutdown' }]]);
      expect(service.size).toBe(0);
    });

    it('should wait for a connection to finish closing (its closing handshake), within a bound', async () => {
      const { service } = createService();
      const slow = new FakeWebSocket();
      slow.close.mockImplementation(() => void (slow.readyState = 2)); // closing: the client has not answered yet
      service.track(slow, authFor());

      let settled = false;
      const shutdown = service.beforeApplicationShutdown().then(() => void (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBe(false);
      slow.readyState = 3;
      slow.emit('close', 1001, 'server_shutdown');
      await shutdown;

      // A client that never answers does not hold the shutdown: the wait has a bound (a second).
      const silent = new FakeWebSocket();
      silent.close.mockImplementation(() => void (silent.readyState = 2));
      service.track(silent, authFor());
      await service.beforeApplicationShutdown();
      expect(silent.close).toHaveBeenCalledWith(1001, 'server_shutdown');
    });
  });
});
