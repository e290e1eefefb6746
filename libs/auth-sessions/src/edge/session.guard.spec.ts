import { jest } from '@jest/globals';
import { type ExecutionContext, Logger } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { HttpAdapterHost } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { WsException } from '@nestjs/websockets';
import { CSRF_EXEMPT_METADATA, NOT_ACTIVITY_METADATA, PUBLIC_ROUTE_METADATA, SAME_ORIGIN_METADATA } from '../auth-sessions.constants.js';
import { resolveAuthSessionsOptions } from '../auth-sessions.options.js';
import { Session } from '../sessions/session.entity.js';
import { CrossSiteRequestError, SessionRejectedError } from '../sessions/session.errors.js';
import { generateSessionToken, xsrfTokenFor } from '../sessions/session-token.js';
import type { AuthenticationResult, SessionsService } from '../sessions/sessions.service.js';
import type { SignoffUser } from '../users/users-provider.js';
import { NO_USERS } from '../users/users-provider.spec-support.js';
import type { ConnectionSessions } from './connection-sessions.js';
import { type AuthenticatedConnection, type AuthenticatedRequest, CONNECTION_AUTH } from './execution-target.js';
import { HttpEdge } from './http-edge.js';
import { SessionGuard } from './session.guard.js';
import { SessionCookies } from './session-cookies.js';

const PUBLIC_ORIGIN = 'https://app.example.com';
const USER: SignoffUser = { id: '0b7d5a52-8a40-4bde-a0a7-7b2cf1d3c6f2', email: 'ada@example.com', roles: [] };

function activeSession(): Session {
  const now = new Date();
  return Object.assign(new Session(), {
    id: '4b1c2c9e-7a0f-4c59-9b55-0d9f6b1f0a11',
    userId: USER.id,
    kind: 'cookie',
    lastActiveAt: new Date(now.getTime() - 5 * 60_000),
    idleSeconds: 1800,
    absoluteExpiresAt: new Date(now.getTime() + 3_600_000),
  });
}

interface GuardFixture {
  guard: SessionGuard;
  sessions: {
    authenticate: jest.Mock<(token: string) => Promise<AuthenticationResult>>;
    authenticateById: jest.Mock<(sessionId: string) => Promise<AuthenticationResult>>;
    recordActivity: jest.Mock<(session: Session) => Promise<void>>;
    authenticateCached: jest.Mock<(token: string) => AuthenticationResult | undefined>;
    isActivityDue: jest.Mock<(session: Session) => boolean>;
  };
  bearer: {
    authenticate: jest.Mock<(authorization: string) => Promise<AuthenticationResult>>;
    authenticateCached: jest.Mock<(authorization: string) => AuthenticationResult | undefined>;
  };
  connections: { closeSession: jest.Mock<(sessionId: string, reason: string) => void> };
  session: Session;
}

function createGuard(
  options: {
    metadata?: Record<string, unknown>;
    cookieResult?: AuthenticationResult;
    bearerResult?: AuthenticationResult;
    byIdResult?: AuthenticationResult | Error;
    /** What the instance cache answers at once (undefined: not cached, the full path runs). */
    cachedCookieResult?: AuthenticationResult;
    cachedBearerResult?: AuthenticationResult;
    activityDue?: boolean;
  } = {},
): GuardFixture {
  const session = activeSession();
  const ok: AuthenticationResult = { ok: true, session, user: USER, expiresAt: new Date(Date.now() + 1_800_000) };
  const reflector = {
    getAllAndOverride: (key: string) => options.metadata?.[key],
  } as unknown as Reflector;
  const sessions = {
    authenticate: jest.fn(async (_token: string) => options.cookieResult ?? ok),
    authenticateById: jest.fn(async (_sessionId: string) => {
      if (options.byIdResult instanceof Error) throw options.byIdResult;
      return options.byIdResult ?? ok;
    }),
    recordActivity: jest.fn(async (_session: Session) => undefined),
    authenticateCached: jest.fn((_token: string) => options.cachedCookieResult),
    isActivityDue: jest.fn((_session: Session) => options.activityDue ?? false),
  };
  const bearer = {
    authenticate: jest.fn(async (_authorization: string) => options.bearerResult ?? ({ ok: false, code: 'unauthenticated' } as const)),
    authenticateCached: jest.fn((_authorization: string) => options.cachedBearerResult),
  };
  const resolved = resolveAuthSessionsOptions({ users: NO_USERS, publicOrigin: PUBLIC_ORIGIN, redis: { url: 'redis://localhost:6379' } });
  // The edge over a stand-in adapter that records headers the way both real adapters would.
  const adapter = { setHeader: (res: { headers: Record<string, unknown> }, name: string, value: string) => void (res.headers[name.toLowerCase()] = value) };
  const edge = new HttpEdge({ httpAdapter: adapter } as unknown as HttpAdapterHost);
  const cookies = new SessionCookies(edge, resolved);
  const connections = { closeSession: jest.fn((_sessionId: string, _reason: string) => undefined) };
  const guard = new SessionGuard(
    reflector,
    sessions as unknown as SessionsService,
    cookies,
    bearer,
    edge,
    connections as unknown as ConnectionSessions,
    resolved,
  );
  return { guard, sessions, bearer, connections, session };
}

interface FakeHttp {
  context: ExecutionContext;
  req: AuthenticatedRequest;
  responseHeaders: Record<string, unknown>;
}

function httpContext(request: { method?: string; headers?: Record<string, string>; cookies?: Record<string, string>; body?: unknown } = {}): FakeHttp {
  const headers: Record<string, string> = Object.fromEntries(Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const cookieHeader = Object.entries(request.cookies ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  if (cookieHeader) headers['cookie'] = cookieHeader;
  const req: AuthenticatedRequest = { method: request.method ?? 'GET', body: request.body, headers };
  const responseHeaders: Record<string, unknown> = {};
  const res = { headers: responseHeaders };
  const context = {
    getType: () => 'http',
    getHandler: () => function handler() {},
    getClass: () => class FixtureController {},
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { context, req, responseHeaders };
}

async function rejectionOf(result: unknown): Promise<unknown> {
  try {
    await result;
  } catch (error) {
    return error;
  }
  throw new Error('expected the guard to reject the request');
}

describe('SessionGuard', () => {
  const token = generateSessionToken();

  describe('canActivate', () => {
    describe('when a public route is called without credentials', () => {
      it('should let the request through anonymously', async () => {
        const { guard, sessions } = createGuard({ metadata: { [PUBLIC_ROUTE_METADATA]: true } });
        const { context, req } = httpContext({ method: 'POST' });

        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(req.auth).toBeUndefined();
        expect(sessions.authenticate).not.toHaveBeenCalled();
        expect(sessions.recordActivity).not.toHaveBeenCalled();
      });
    });

    describe('when a protected route is called without credentials', () => {
      it("should reject with 401 'unauthenticated'", async () => {
        const { guard } = createGuard();
        const { context } = httpContext();

        const error = await rejectionOf(guard.canActivate(context));

        expect(error).toBeInstanceOf(SessionRejectedError);
        expect((error as SessionRejectedError).getStatus()).toBe(401);
        expect((error as SessionRejectedError).getResponse()).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
      });
    });

    describe('when something before the guard already set req.auth (express-jwt and express-oauth2-jwt-bearer use that name)', () => {
      const foreign = () => ({ sub: 'someone', scope: 'admin' }) as unknown as AuthenticatedRequest['auth'];

      it("should still reject a protected route without a Signoff credential with 401 'unauthenticated', recording nothing", async () => {
        const { guard, sessions } = createGuard();
        const { context, req } = httpContext();
        req.auth = foreign();

        const error = await rejectionOf(guard.canActivate(context));

        expect((error as SessionRejectedError).getResponse()).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
        expect(sessions.recordActivity).not.toHaveBeenCalled();
      });

      it('should let a public route through as anonymous, not as whoever that was', async () => {
        const { guard } = createGuard({ metadata: { [PUBLIC_ROUTE_METADATA]: true } });
        const { context, req } = httpContext({ method: 'POST' });
        req.auth = foreign();

        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(req.auth).toBeUndefined();
      });
    });

    describe('when the session cookie belongs to an ended session', () => {
      it('should reject with 401 carrying the code and the reason', async () => {
        const { guard, sessions } = createGuard({ cookieResult: { ok: false, code: 'session_ended', reason: 'logout' } });
        const { context } = httpContext({ cookies: { sid: token } });

        const error = await rejectionOf(guard.canActivate(context));

        expect(sessions.authenticate).toHaveBeenCalledWith(token);
        expect(error).toBeInstanceOf(SessionRejectedError);
        expect((error as SessionRejectedError).getStatus()).toBe(401);
        expect((error as SessionRejectedError).getResponse()).toMatchObject({ code: 'session_ended', reason: 'logout' });
        expect(sessions.recordActivity).not.toHaveBeenCalled();
      });
    });

    describe('when a valid session cookie authenticates a GET', () => {
      it('should attach the session and user to the request', async () => {
        const { guard, session } = createGuard();
        const { context, req } = httpContext({ cookies: { sid: token } });

        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(req.auth).toMatchObject({ session, user: USER, method: 'cookie' });
      });

      it('should mark the response Cache-Control: no-store', async () => {
        const { guard } = createGuard();
        const { context, responseHeaders } = httpContext({ cookies: { sid: token } });

        await guard.canActivate(context);

        expect(responseHeaders['cache-control']).toBe('no-store');
      });

      it('should record activity on the session', async () => {
        const { guard, sessions, session } = createGuard();
        const { context } = httpContext({ cookies: { sid: token } });

        await guard.canActivate(context);

        expect(sessions.recordActivity).toHaveBeenCalledWith(session);
      });
    });

    describe('when the route is marked @NotActivity()', () => {
      it('should authenticate without recording activity', async () => {
        const { guard, sessions } = createGuard({ metadata: { [NOT_ACTIVITY_METADATA]: true } });
        const { context, req } = httpContext({ cookies: { sid: token } });

        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(req.auth).toBeDefined();
        expect(sessions.recordActivity).not.toHaveBeenCalled();
      });
    });

    describe('when a cookie-authenticated POST has no X-XSRF-TOKEN', () => {
      it("should reject with 403 'csrf_token_invalid' and record nothing", async () => {
        const { guard, sessions } = createGuard();
        const { context } = httpContext({ method: 'POST', cookies: { sid: token } });

        const error = await rejectionOf(guard.canActivate(context));

        expect(error).toBeInstanceOf(CrossSiteRequestError);
        expect((error as CrossSiteRequestError).getStatus()).toBe(403);
        expect((error as CrossSiteRequestError).getResponse()).toMatchObject({ code: 'csrf_token_invalid' });
        expect(sessions.recordActivity).not.toHaveBeenCalled();
      });
    });

    describe('when a cookie-authenticated POST carries the XSRF value of its session', () => {
      it('should let the request through', async () => {
        const { guard } = createGuard();
        const { context } = httpContext({ method: 'POST', cookies: { sid: token }, headers: { 'X-XSRF-TOKEN': xsrfTokenFor(token) } });

        await expect(guard.canActivate(context)).resolves.toBe(true);
      });

      it('should accept the value from a form field _csrf', async () => {
        const { guard } = createGuard();
        const { context } = httpContext({ method: 'DELETE', cookies: { sid: token }, body: { _csrf: xsrfTokenFor(token) } });

        await expect(guard.canActivate(context)).resolves.toBe(true);
      });
    });

    describe('when a cookie-authenticated POST comes from a foreign Origin', () => {
      it("should reject with 403 'origin_not_allowed' even with the right XSRF value", async () => {
        const { guard } = createGuard();
        const { context } = httpContext({
          method: 'POST',
          cookies: { sid: token },
          headers: { 'X-XSRF-TOKEN': xsrfTokenFor(token), Origin: 'https://evil.example' },
        });

        const error = await rejectionOf(guard.canActivate(context));

        expect(error).toBeInstanceOf(CrossSiteRequestError);
        expect((error as CrossSiteRequestError).getResponse()).toMatchObject({ statusCode: 403, code: 'origin_not_allowed' });
      });

      // A host whose publicOrigin is not where its users browse sees only 403s in the browser: the log names both.
      it('should log the first few refused origins beside publicOrigin, each once', async () => {
        const warnings: string[] = [];
        const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
        try {
          const { guard } = createGuard();
          const post = (origin: string) =>
            rejectionOf(
              guard.canActivate(
                httpContext({ method: 'POST', cookies: { sid: token }, headers: { 'X-XSRF-TOKEN': xsrfTokenFor(token), Origin: origin } }).context,
              ),
            );

          for (const origin of [
            'http://localhost:4200',
            'http://localhost:4200',
            'https://a.example',
            'https://b.example',
            'https://c.example',
            'https://d.example',
            'https://e.example',
          ]) {
            await post(origin);
          }

          const refusals = warnings.filter((message) => message.startsWith('Refused'));
          expect(refusals).toHaveLength(5);
          expect(refusals[0]).toBe(
            `Refused a state-changing request from Origin "http://localhost:4200": publicOrigin is ${PUBLIC_ORIGIN}. If that is where your users browse, set publicOrigin to it (origin_not_allowed).`,
          );
        } finally {
          warn.mockRestore();
        }
      });
    });

    describe('when the route is @CsrfExempt()', () => {
      it('should let a cookie-authenticated POST through without the XSRF value', async () => {
        const { guard } = createGuard({ metadata: { [CSRF_EXEMPT_METADATA]: true } });
        const { context } = httpContext({ method: 'POST', cookies: { sid: token }, headers: { Origin: 'https://evil.example' } });

        await expect(guard.canActivate(context)).resolves.toBe(true);
      });
    });

    describe('when a public @RequireSameOrigin() route (login) is called', () => {
      it("should reject a foreign Origin with 403 'origin_not_allowed' even without a session", async () => {
        const { guard } = createGuard({ metadata: { [PUBLIC_ROUTE_METADATA]: true, [SAME_ORIGIN_METADATA]: true } });
        const { context } = httpContext({ method: 'POST', headers: { Origin: 'https://evil.example' } });

        const error = await rejectionOf(guard.canActivate(context));

        expect((error as CrossSiteRequestError).getResponse()).toMatchObject({ code: 'origin_not_allowed' });
      });

      // Contract, "CSRF and Origin": login and register never need the XSRF value.
      it('should not ask for the XSRF value when the browser still has a valid session cookie', async () => {
        const { guard } = createGuard({ metadata: { [PUBLIC_ROUTE_METADATA]: true, [SAME_ORIGIN_METADATA]: true } });
        const { context } = httpContext({ method: 'POST', cookies: { sid: token }, headers: { Origin: PUBLIC_ORIGIN } });

        await expect(guard.canActivate(context)).resolves.toBe(true);
      });
    });

    // A host that marks a signed-in route @RequireSameOrigin() as extra hardening must not lose the
    // XSRF check: before, the mark replaced it, and a cookie without the header changed the row.
    describe('when a @RequireSameOrigin() route that needs a session is called', () => {
      it("should still ask a valid session cookie for the XSRF value: 403 'csrf_token_invalid' without it, with or without an Origin", async () => {
        for (const headers of [{}, { Origin: PUBLIC_ORIGIN }] as Array<Record<string, string>>) {
          const { guard } = createGuard({ metadata: { [SAME_ORIGIN_METADATA]: true } });
          const { context } = httpContext({ method: 'POST', cookies: { sid: token }, headers });

          const error = await rejectionOf(guard.canActivate(context));

          expect((error as CrossSiteRequestError).getResponse()).toMatchObject({ code: 'csrf_token_invalid' });
        }
      });

      it('should let the XSRF value through from the same Origin, and refuse a foreign Origin even with it', async () => {
        const same = createGuard({ metadata: { [SAME_ORIGIN_METADATA]: true } });
        const xsrf = { 'X-XSRF-TOKEN': xsrfTokenFor(token) };
        await expect(
          same.guard.canActivate(httpContext({ method: 'POST', cookies: { sid: token }, headers: { Origin: PUBLIC_ORIGIN, ...xsrf } }).context),
        ).resolves.toBe(true);

        const foreign = createGuard({ metadata: { [SAME_ORIGIN_METADATA]: true } });
        const error = await rejectionOf(
          foreign.guard.canActivate(httpContext({ method: 'POST', cookies: { sid: token }, headers: { Origin: 'https://evil.example', ...xsrf } }).context),
        );
        expect((error as CrossSiteRequestError).getResponse()).toMatchObject({ code: 'origin_not_allowed' });
      });
    });

    describe('when a public route is called with a cookie that is no longer valid', () => {
      it('should let the request through anonymously, without a CSRF check', async () => {
        const { guard } = createGuard({
          metadata: { [PUBLIC_ROUTE_METADATA]: true },
          cookieResult: { ok: false, code: 'session_ended', reason: 'logout' },
        });
        const { context, req } = httpContext({ method: 'POST', cookies: { sid: token } });

        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(req.auth).toBeUndefined();
      });
    });

    describe('when this instance has the session cached (the path most requests take)', () => {
      const cachedOk = (session = activeSession()) => ({ ok: true, session, user: USER, expiresAt: new Date(Date.now() + 1_800_000) }) as const;

      it('should authenticate a cookie at once, without waiting and without the store', () => {
        const cached = cachedOk();
        const { guard, sessions } = createGuard({ cachedCookieResult: cached });
        const { context, req, responseHeaders } = httpContext({ cookies: { sid: token } });

        expect(guard.canActivate(context)).toBe(true);
        expect(sessions.authenticateCached).toHaveBeenCalledWith(token);
        expect(sessions.authenticate).not.toHaveBeenCalled();
        expect(req.auth).toMatchObject({ session: cached.session, user: USER, method: 'cookie' });
        expect(responseHeaders['cache-control']).toBe('no-store');
        expect(sessions.recordActivity).not.toHaveBeenCalled();
      });

      it('should authenticate a bearer at once, ignoring the cookie', () => {
        const cached = cachedOk();
        const { guard, sessions, bearer } = createGuard({ cachedBearerResult: cached, cachedCookieResult: cachedOk() });
        const { context, req } = httpContext({ method: 'POST', cookies: { sid: token }, headers: { Authorization: 'Bearer valid' } });

        expect(guard.canActivate(context)).toBe(true);
        expect(bearer.authenticateCached).toHaveBeenCalledWith('Bearer valid');
        expect(bearer.authenticate).not.toHaveBeenCalled();
        expect(sessions.authenticateCached).not.toHaveBeenCalled();
        expect(req.auth).toMatchObject({ session: cached.session, method: 'bearer' });
      });

      it('should take the full path when the last-active write is due, and record it', async () => {
        const { guard, sessions, session } = createGuard({ cachedCookieResult: cachedOk(), activityDue: true });
        const { context, req } = httpContext({ cookies: { sid: token } });

        const result = guard.canActivate(context);

        expect(result).toBeInstanceOf(Promise);
        await expect(result).resolves.toBe(true);
        expect(sessions.recordActivity).toHaveBeenCalledWith(session);
        expect(req.auth).toMatchObject({ method: 'cookie' });
      });

      it('should not look for a due write on a @NotActivity() route', () => {
        const { guard, sessions } = createGuard({ cachedCookieResult: cachedOk(), activityDue: true, metadata: { [NOT_ACTIVITY_METADATA]: true } });
        const { context } = httpContext({ cookies: { sid: token } });

        expect(guard.canActivate(context)).toBe(true);
        expect(sessions.isActivityDue).not.toHaveBeenCalled();
      });

      it("should still refuse a cookie-authenticated POST without the XSRF value: 403 'csrf_token_invalid', at once", () => {
        const { guard, sessions } = createGuard({ cachedCookieResult: cachedOk() });
        const { context } = httpContext({ method: 'POST', cookies: { sid: token } });

        let error: unknown;
        try {
          void guard.canActivate(context);
        } catch (thrown) {
          error = thrown;
        }

        expect(error).toBeInstanceOf(CrossSiteRequestError);
        expect((error as CrossSiteRequestError).getResponse()).toMatchObject({ statusCode: 403, code: 'csrf_token_invalid' });
        expect(sessions.recordActivity).not.toHaveBeenCalled();
      });

      it('should leave a cached session that has ended to the full path, which refuses it', async () => {
        const ended: AuthenticationResult = { ok: false, code: 'session_ended', reason: 'revoked_by_admin' };
        const { guard, sessions } = createGuard({ cachedCookieResult: ended, cookieResult: ended });
        const { context, req, responseHeaders } = httpContext({ cookies: { sid: token } });

        const error = await rejectionOf(guard.canActivate(context));

        expect(sessions.authenticate).toHaveBeenCalledWith(token);
        expect((error as SessionRejectedError).getResponse()).toMatchObject({ code: 'session_ended', reason: 'revoked_by_admin' });
        expect(req.auth).toBeUndefined();
        expect(responseHeaders['cache-control']).toBe('no-store');
      });

      it('should leave several session cookies to the full path (the duplicate-cookie rules)', async () => {
        const { guard, sessions } = createGuard({ cachedCookieResult: cachedOk() });
        const other = generateSessionToken();
        const { context, req } = httpContext({ headers: { Cookie: `sid=${token}; sid=${other}` } });

        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(sessions.authenticateCached).not.toHaveBeenCalled();
        expect(sessions.authenticate).toHaveBeenCalledTimes(2);
        expect(req.auth).toMatchObject({ method: 'cookie' });
      });
    });

    describe('when the request carries an Authorization header', () => {
      it('should ignore a valid session cookie and reject an invalid bearer with 401', async () => {
        const { guard, sessions, bearer } = createGuard();
        const { context, req } = httpContext({ cookies: { sid: token }, headers: { Authorization: 'Bearer not-a-token' } });

        const error = await rejectionOf(guard.canActivate(context));

        expect(bearer.authenticate).toHaveBeenCalledWith('Bearer not-a-token');
        expect(sessions.authenticate).not.toHaveBeenCalled();
        expect(error).toBeInstanceOf(SessionRejectedError);
        expect((error as SessionRejectedError).getResponse()).toMatchObject({ code: 'unauthenticated' });
        expect(req.auth).toBeUndefined();
      });

      it('should authenticate by the bearer alone and skip the CSRF and Origin rules', async () => {
        const session = activeSession();
        const { guard, sessions } = createGuard({
          bearerResult: { ok: true, session, user: USER, expiresAt: new Date(Date.now() + 60_000) },
        });
        const { context, req, responseHeaders } = httpContext({
          method: 'POST',
          cookies: { sid: token },
          headers: { Authorization: 'Bearer valid', Origin: 'https://evil.example' },
        });

        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(req.auth).toMatchObject({ session, method: 'bearer' });
        expect(sessions.authenticate).not.toHaveBeenCalled();
        expect(responseHeaders['cache-control']).toBe('no-store');
      });
    });

    describe('when the request repeats the Authorization header (ROB-01)', () => {
      const valid = (session = activeSession()) => ({ ok: true, session, user: USER, expiresAt: new Date(Date.now() + 1_800_000) }) as const;
      // Node keeps the first Authorization header in `headers`; only the raw lines show the others.
      const repeated = (extra: { rawHeaders?: string[]; raw?: { rawHeaders: string[] } }) => {
        const fake = httpContext({ method: 'GET', headers: { Authorization: 'Bearer valid' } });
        Object.assign(fake.req, extra);
        return fake;
      };
      const lines = ['Host', 'localhost', 'authorization', 'Bearer valid', 'AUTHORIZATION', 'Bearer garbage'];

      it.each([
        ['Express (req.rawHeaders)', { rawHeaders: lines }],
        ['Fastify (request.raw.rawHeaders)', { raw: { rawHeaders: lines } }],
      ])('should reject it with 401 unauthenticated on %s, even with the first one valid and cached', async (_label, extra) => {
        const { guard, bearer } = createGuard({ cachedBearerResult: valid(), bearerResult: valid() });
        const { context, req } = repeated(extra);

        const error = await rejectionOf(guard.canActivate(context));

        expect(error).toBeInstanceOf(SessionRejectedError);
        expect((error as SessionRejectedError).getResponse()).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
        expect(bearer.authenticate).not.toHaveBeenCalled();
        expect(req.auth).toBeUndefined();
      });

      it('should reject it on public routes too (a token endpoint judges a refresh token by the caller)', async () => {
        const { guard } = createGuard({ metadata: { [PUBLIC_ROUTE_METADATA]: true }, bearerResult: valid() });
        const { context, req } = repeated({ rawHeaders: lines });

        expect(await rejectionOf(guard.canActivate(context))).toBeInstanceOf(SessionRejectedError);
        expect(req.auth).toBeUndefined();
      });

      it('should accept a single Authorization header among other repeated headers', () => {
        const { guard } = createGuard({ cachedBearerResult: valid() });
        const { context, req } = repeated({ rawHeaders: ['Accept', 'a', 'Accept', 'b', 'Authorization', 'Bearer valid'] });

        expect(guard.canActivate(context)).toBe(true);
        expect(req.auth).toMatchObject({ method: 'bearer' });
      });
    });

    describe('when a GraphQL operation carries its HTTP request in the context', () => {
      it('should authenticate it exactly like a controller route, by the cookie', async () => {
        const { guard, sessions, session } = createGuard();
        const { req } = httpContext({ cookies: { sid: token } });
        const context = graphqlContext({ req });

        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(sessions.authenticate).toHaveBeenCalledWith(token);
        expect(req.auth).toMatchObject({ session, method: 'cookie' });
      });

      it('should apply the CSRF rule to a cookie-authenticated GraphQL POST', async () => {
        const { guard } = createGuard();
        const { req } = httpContext({ method: 'POST', cookies: { sid: token } });

        const error = await rejectionOf(guard.canActivate(graphqlContext({ req })));

        expect((error as CrossSiteRequestError).getResponse()).toMatchObject({ code: 'csrf_token_invalid' });
      });

      it("should find the response of Nest's default Apollo context ({ req }) through Express's req.res, for Cache-Control", async () => {
        const { guard } = createGuard();
        const { req } = httpContext({ cookies: { sid: token } });
        const res = { headers: {} as Record<string, unknown> };

        await expect(guard.canActivate(graphqlContext({ req: Object.assign(req, { res }) }))).resolves.toBe(true);
        expect(res.headers['cache-control']).toBe('no-store');
      });

      it('should find the request of a Mercurius context through its reply', async () => {
        const { guard } = createGuard();
        const { req } = httpContext({ cookies: { sid: token } });

        await expect(guard.canActivate(graphqlContext({ reply: { request: req, headers: {} } }))).resolves.toBe(true);
        expect(req.auth?.method).toBe('cookie');
      });

      it('should reject an anonymous GraphQL operation with 401', async () => {
        const { guard } = createGuard();
        const { req } = httpContext();

        const error = await rejectionOf(guard.canActivate(graphqlContext({ req })));

        expect((error as SessionRejectedError).getResponse()).toMatchObject({ code: 'unauthenticated' });
      });
    });

    describe('when a message arrives on a connection (WebSocket gateway, subscription)', () => {
      const connectionWith = (auth?: AuthenticatedRequest['auth']): AuthenticatedConnection => (auth ? { [CONNECTION_AUTH]: auth } : {});

      it('should accept a connection whose handshake was authenticated and whose session is still active', async () => {
        const { guard, sessions, session } = createGuard();
        const connection = connectionWith({ session, user: USER, method: 'cookie', expiresAt: new Date(Date.now() + 60_000) });

        await expect(guard.canActivate(wsContext(connection))).resolves.toBe(true);
        expect(sessions.authenticateById).toHaveBeenCalledWith(session.id);
      });

      it('should reject a connection whose session has ended since the handshake, and close its connections at once', async () => {
        const { guard, session, connections } = createGuard({ byIdResult: { ok: false, code: 'session_ended', reason: 'revoked_by_admin' } });
        const connection = connectionWith({ session, user: USER, method: 'cookie', expiresAt: new Date(Date.now() + 60_000) });

        const error = await rejectionOf(guard.canActivate(wsContext(connection)));

        // Nest's gateway filter sends only a WsException's own body; anything else is "Internal server error".
        expect(error).toBeInstanceOf(WsException);
        expect((error as WsException).getError()).toEqual({
          status: 'error',
          statusCode: 401,
          message: expect.any(String),
          code: 'session_ended',
          reason: 'revoked_by_admin',
        });
        expect(connections.closeSession).toHaveBeenCalledWith(session.id, 'revoked_by_admin');
      });

      it('should carry the user as the host knows them now and count the message as activity', async () => {
        const promoted: SignoffUser = { ...USER, roles: ['admin'] };
        const { guard, sessions, session } = createGuard();
        sessions.authenticateById.mockResolvedValue({ ok: true, session, user: promoted, expiresAt: new Date(Date.now() + 60_000) });
        const connection = connectionWith({ session, user: USER, method: 'bearer', expiresAt: new Date(Date.now() + 60_000) });

        await expect(guard.canActivate(wsContext(connection))).resolves.toBe(true);

        expect(connection[CONNECTION_AUTH]).toMatchObject({ user: promoted, method: 'bearer' });
        expect(sessions.recordActivity).toHaveBeenCalledWith(session);
      });

      it('should reject a connection no handshake authenticated', async () => {
        const { guard } = createGuard();

        const error = await rejectionOf(guard.canActivate(wsContext(connectionWith())));

        expect((error as WsException).getError()).toMatchObject({ status: 'error', statusCode: 401, code: 'unauthenticated' });
      });

      it('should let an unauthenticated connection reach a @Public() handler', async () => {
        const { guard } = createGuard({ metadata: { [PUBLIC_ROUTE_METADATA]: true } });

        await expect(guard.canActivate(wsContext(connectionWith()))).resolves.toBe(true);
      });

      it('should give the rejection GraphQL extensions when the operation is a subscription on that connection', async () => {
        const { guard, session } = createGuard({ byIdResult: { ok: false, code: 'session_ended', reason: 'logout' } });
        const connection = connectionWith({ session, user: USER, method: 'cookie', expiresAt: new Date(Date.now() + 60_000) });

        const error = await rejectionOf(guard.canActivate(graphqlContext({ connection })));

        expect((error as { extensions?: unknown }).extensions).toEqual({ code: 'UNAUTHENTICATED', status: 401, authCode: 'session_ended', reason: 'logout' });
        // Not part of the HTTP body: only the exception's response is.
        expect(JSON.stringify(error)).not.toContain('UNAUTHENTICATED');
      });

      it('should answer 503, not a driver error, when PostgreSQL is down', async () => {
        const { guard, session } = createGuard({ byIdResult: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) });
        const connection = connectionWith({ session, user: USER, method: 'cookie', expiresAt: new Date(Date.now() + 60_000) });

        const error = await rejectionOf(guard.canActivate(wsContext(connection)));

        expect((error as WsException).getError()).toMatchObject({ status: 'error', statusCode: 503, code: 'service_unavailable' });
      });
    });

    describe('when a GraphQL subscription operation runs on its connection', () => {
      const auth = (session: Session) => ({ session, user: USER, method: 'cookie' as const, expiresAt: new Date(Date.now() + 60_000) });
      const upgradeRequest = (extra: Record<string | symbol, unknown> = {}) => ({
        method: 'GET',
        headers: { upgrade: 'websocket', cookie: `sid=${token}`, connection: 'Upgrade' },
        ...extra,
      });

      it('should accept an Apollo (graphql-ws) subscription whose socket was authenticated at connection_init', async () => {
        const { guard, session, sessions } = createGuard();
        const socket = { [CONNECTION_AUTH]: auth(session) };
        const graphqlWsContext = { connectionParams: {}, extra: { socket, request: upgradeRequest() } };

        await expect(guard.canActivate(graphqlContext({ req: graphqlWsContext }))).resolves.toBe(true);
        expect(sessions.authenticateById).toHaveBeenCalledWith(session.id);
        expect(sessions.authenticate).not.toHaveBeenCalled();
      });

      it('should refuse an Apollo (graphql-ws) subscription whose connection no hook authenticated', async () => {
        const { guard, sessions } = createGuard();
        const graphqlWsContext = { connectionParams: { authorization: 'Bearer forged' }, extra: { socket: {}, request: upgradeRequest() } };

        const error = await rejectionOf(guard.canActivate(graphqlContext({ req: graphqlWsContext })));

        expect(error).toBeInstanceOf(SessionRejectedError);
        expect(sessions.authenticate).not.toHaveBeenCalled();
      });

      it('should accept a Mercurius subscription whose upgrade request carries the connection auth', async () => {
        const { guard, session } = createGuard();
        const request = upgradeRequest({ [CONNECTION_AUTH]: auth(session) });

        await expect(guard.canActivate(graphqlContext({ request, reply: { request } }))).resolves.toBe(true);
      });

      it('should never take an unauthenticated upgrade request for an HTTP GET authenticated by its cookie', async () => {
        const { guard, sessions } = createGuard();
        const request = upgradeRequest();

        for (const context of [graphqlContext({ request, reply: { request } }), graphqlContext({ req: request })]) {
          const error = await rejectionOf(guard.canActivate(context));
          expect(error).toBeInstanceOf(SessionRejectedError);
        }
        expect(sessions.authenticate).not.toHaveBeenCalled();
      });

      it('should let an unauthenticated subscription reach a @Public() resolver', async () => {
        const { guard } = createGuard({ metadata: { [PUBLIC_ROUTE_METADATA]: true } });

        await expect(guard.canActivate(graphqlContext({ req: { connectionParams: {}, extra: { socket: {}, request: upgradeRequest() } } }))).resolves.toBe(
          true,
        );
      });
    });

    describe('when the context is one the guard cannot authenticate', () => {
      it.each(['kafka', 'some-future-transport'])('should refuse a %s handler that is not @Public()', async (type) => {
        const { guard, sessions } = createGuard();

        const error = await rejectionOf(guard.canActivate(otherContext(type)));

        expect(error).toBeInstanceOf(SessionRejectedError);
        expect(sessions.authenticate).not.toHaveBeenCalled();
      });

      // Every microservice transport (TCP, Redis, NATS, Kafka, gRPC, …) is Nest's 'rpc' context, whose
      // exception filter answers anything but an RpcException with "Internal server error".
      it('should refuse a microservice handler that is not @Public() with an RpcException its client receives as is', async () => {
        const { guard, sessions } = createGuard();

        const error = await rejectionOf(guard.canActivate(otherContext('rpc')));

        expect(error).toBeInstanceOf(RpcException);
        expect((error as RpcException).getError()).toEqual({ status: 'error', statusCode: 401, message: expect.any(String), code: 'unauthenticated' });
        expect(sessions.authenticate).not.toHaveBeenCalled();
      });

      it('should refuse a GraphQL context that exposes no request', async () => {
        const { guard } = createGuard();

        const error = await rejectionOf(guard.canActivate(graphqlContext({})));

        expect(error).toBeInstanceOf(SessionRejectedError);
      });

      it('should let a @Public() rpc handler through', async () => {
        const { guard } = createGuard({ metadata: { [PUBLIC_ROUTE_METADATA]: true } });

        await expect(guard.canActivate(otherContext('rpc'))).resolves.toBe(true);
      });
    });
  });
});

function baseContext(type: string, extra: Record<string, unknown>): ExecutionContext {
  return {
    getType: () => type,
    getHandler: () => function handler() {},
    getClass: () => class FixtureResolver {},
    ...extra,
  } as unknown as ExecutionContext;
}

function graphqlContext(graphql: Record<string, unknown>): ExecutionContext {
  return baseContext('graphql', { getArgByIndex: (index: number) => (index === 2 ? graphql : undefined) });
}

function wsContext(client: AuthenticatedConnection): ExecutionContext {
  return baseContext('ws', { switchToWs: () => ({ getClient: () => client }) });
}

function otherContext(type: string): ExecutionContext {
  return baseContext(type, {});
}
