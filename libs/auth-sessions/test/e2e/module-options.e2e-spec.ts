import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  HttpCode,
  type INestApplication,
  Injectable,
  Logger,
  Module,
  Post,
  Req,
  Res,
  UseGuards,
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  type CallHandler,
  type NestInterceptor,
  type PipeTransform,
  ValidationPipe,
  type VersioningOptions,
  VersioningType,
} from '@nestjs/common';
import { APP_GUARD, ModulesContainer } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  type AuthSessionsModuleExtras,
  type AuthSessionsOptions,
  AuthSessionsModule,
  CurrentUser,
  isSignoffRoute,
  Public,
  RateLimited,
  Roles,
  RolesGuard,
  SessionGuard,
  SignInService,
  type SignoffUser,
} from '@signoff/auth-sessions';
import { assertSessionEnded, signInForTest } from '@signoff/auth-sessions/testing';
import { get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import helmet from 'helmet';
import { map, type Observable } from 'rxjs';
import request from 'supertest';
import { createFixtureDatabase, deleteRedisKeys, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';
import { fixtureAuthSessionsModule, fixtureHostConnections, FixtureUsersModule } from '../fixtures/fixture-host.module.js';
import { FixtureUsers } from '../fixtures/fixture-users.js';
import { parseSetCookies } from '../fixtures/set-cookie.js';

const PASSWORD = 'correct horse battery staple';

/** A host feature module that guards its own routes (for `globalGuard: false`). */
@Controller('guarded')
@UseGuards(SessionGuard, RolesGuard)
class GuardedController {
  @Get()
  whoami(@CurrentUser() user: SignoffUser) {
    return { email: user.email };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

/**
 * A host's own token check that writes `req.auth`, as express-jwt does: here a payload shaped like
 * the library's, naming an admin, to show that only what `SessionGuard` set counts.
 */
@Injectable()
class HostJwtGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ auth?: unknown }>();
    const user: SignoffUser = { id: '6d0f8c52-3a1b-4e7f-9c2d-5b4a3e2f1d0c', email: 'claims@example.com', roles: ['admin'] };
    req.auth = { sub: user.id, user, session: { id: 'host-jwt' }, method: 'bearer', expiresAt: new Date(Date.now() + 60_000) };
    return true;
  }
}

/** Host routes behind the host's own token check and `RolesGuard`, with no `SessionGuard`. */
@Controller('host-jwt')
@UseGuards(HostJwtGuard, RolesGuard)
class HostJwtController {
  @Roles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }

  @Get('me')
  me(@CurrentUser() user: SignoffUser | undefined) {
    return { email: user?.email ?? null };
  }
}

/** A host route nobody guards: with `globalGuard: false` the library leaves it alone. */
@Controller('open')
class OpenController {
  @Get()
  open() {
    return { open: true };
  }

  @RateLimited()
  @Post('limited')
  limited() {
    return { ok: true };
  }
}

/** A host's own sign-in guarded by nothing of the library (its strategy stands in as a body lookup). */
@Controller('account')
class AccountController {
  constructor(
    private readonly signIn: SignInService,
    private readonly users: FixtureUsers,
  ) {}

  @Public()
  @Post('sign-in')
  @HttpCode(200)
  async signInByEmail(@Body() body: { email: string }, @Req() req: object, @Res({ passthrough: true }) res: object) {
    const user = await this.users.findByEmail(body.email);
    return this.signIn.completeSignIn(req, res, user!);
  }

  @Public()
  @Post('token')
  @HttpCode(200)
  async tokenByEmail(@Body() body: { email: string }, @Req() req: object) {
    const user = await this.users.findByEmail(body.email);
    return this.signIn.completeTokenSignIn(req, user!, { auditMetadata: { method: 'username' } });
  }
}

/** Injects the library's SignInService without importing AuthSessionsModule (works only with `isGlobal`). */
@Injectable()
class SsoService {
  constructor(readonly signIn: SignInService) {}
}

@Module({
  imports: [FixtureUsersModule],
  controllers: [GuardedController, HostJwtController, OpenController, AccountController],
  providers: [HostJwtGuard, SsoService],
})
class HostFeatureModule {}

describe('AuthSessionsModule options the Nest way (isGlobal, globalGuard, routes, metrics, rate limits)', () => {
  const environment = fixtureEnvironment();
  const redisPrefix = `${environment.redisPrefix}:module-options`;
  let database: FixtureDatabase;

  beforeAll(async () => {
    database = await createFixtureDatabase(environment);
  });

  afterAll(async () => {
    await database?.drop();
    await deleteRedisKeys(environment.redisUrl, redisPrefix);
  });

  async function createHost(
    extras: AuthSessionsModuleExtras,
    options: Partial<AuthSessionsOptions> = {},
    setup: {
      fastify?: boolean;
      globalPrefix?: string;
      versioning?: VersioningOptions;
      pipes?: PipeTransform[];
      filters?: ExceptionFilter[];
      interceptors?: NestInterceptor[];
      /** Express middleware, `app.use()`d before init. */
      middleware?: Array<(req: unknown, res: unknown, next: () => void) => void>;
      /** `app.enableCors()`: the `cors` middleware on Express, the `@fastify/cors` plugin on Fastify. */
      cors?: Parameters<INestApplication['enableCors']>[0];
      /** Fastify plugins, `app.register()`ed before init. */
      plugins?: Array<[plugin: unknown, options: object]>;
      /** Fastify `onRequest` hooks, as plugins such as `@fastify/helmet` add them. */
      onRequest?: Array<(request: unknown, reply: { header(name: string, value: string): unknown }, done: () => void) => void>;
    } = {},
  ): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ...fixtureHostConnections(database.url, environment.redisUrl, redisPrefix),
        fixtureAuthSessionsModule(environment.redisUrl, redisPrefix, options, extras),
        HostFeatureModule,
      ],
    }).compile();
    const app = setup.fastify
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: ['error', 'warn'] })
      : moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    if (setup.globalPrefix) app.setGlobalPrefix(setup.globalPrefix);
    if (setup.versioning) app.enableVersioning(setup.versioning);
    if (setup.pipes) app.useGlobalPipes(...setup.pipes);
    if (setup.filters) app.useGlobalFilters(...setup.filters);
    if (setup.interceptors) app.useGlobalInterceptors(...setup.interceptors);
    for (const middleware of setup.middleware ?? []) app.use(middleware);
    if (setup.cors) app.enableCors(setup.cors);
    for (const [plugin, pluginOptions] of setup.plugins ?? []) {
      await (app as unknown as { register(plugin: unknown, options: object): Promise<unknown> }).register(plugin, pluginOptions);
    }
    for (const hook of setup.onRequest ?? []) {
      (app.getHttpAdapter().getInstance() as { addHook(name: 'onRequest', hook: unknown): void }).addHook('onRequest', hook);
    }
    await app.init();
    if (setup.fastify) await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
    return app;
  }

  async function newUser(app: INestApplication, roles: string[] = []): Promise<SignoffUser> {
    return app.get(FixtureUsers).create(`user-${Math.random().toString(36).slice(2)}@example.test`, PASSWORD, roles);
  }

  describe('isGlobal', () => {
    it("should let a host feature module inject the library's services without importing the module", async () => {
      const app = await createHost({ isGlobal: true });
      try {
        expect(app.get(SsoService).signIn).toBeInstanceOf(SignInService);
      } finally {
        await app.close();
      }
    });

    it('should be what makes the module global (the control): the definition is global only with isGlobal', () => {
      const useFactory = () => ({}) as AuthSessionsOptions;
      expect(AuthSessionsModule.forRootAsync({ useFactory }).global).toBe(false);
      expect(AuthSessionsModule.forRootAsync({ isGlobal: true, useFactory }).global).toBe(true);
    });
  });

  describe('globalGuard: false, with the host binding SessionGuard and RolesGuard on its own controller', () => {
    let app: INestApplication;
    let server: Server;

    const warnings: string[] = [];

    beforeAll(async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
      try {
        app = await createHost({ isGlobal: true, globalGuard: false }, { rateLimit: { limit: 2, windowSeconds: 60 } });
      } finally {
        warn.mockRestore();
      }
      server = app.getHttpServer() as Server;
    });

    it('should name, at start-up, each host route with a library mark or parameter that no guard gives effect, and only those', () => {
      const unguarded = warnings.filter((message) => /with globalGuard: false no|SessionGuard runs/.test(message));
      expect(unguarded.sort()).toEqual([
        'HostJwtController.admin is marked @Roles(), but no SessionGuard runs, so RolesGuard refuses every request with 401: put SessionGuard before RolesGuard (@UseGuards(SessionGuard, RolesGuard)), or bind SessionGuard globally yourself.',
        'HostJwtController.me reads @CurrentUser(), but with globalGuard: false no SessionGuard runs on it, so it is always undefined: add @UseGuards(SessionGuard) to it (or bind it globally yourself).',
        'OpenController.limited is marked @RateLimited(), but with globalGuard: false no AuthRateLimitGuard runs on it, so the mark does nothing: add @UseGuards(AuthRateLimitGuard) to it (or bind it globally yourself).',
      ]);
    });

    afterAll(async () => {
      await app?.close();
    });

    it("should authenticate the host's guarded routes with the exported guards: 401, 200, and 403 for a missing role", async () => {
      const user = await newUser(app);
      const session = await signInForTest(app, user);

      await request(server).get('/guarded').expect(401);
      const ok = await request(server).get('/guarded').set(session.headers).expect(200);
      expect(ok.body).toEqual({ email: user.email });
      const forbidden = await request(server).get('/guarded/admin').set(session.headers).expect(403);
      expect(forbidden.body).toMatchObject({ code: 'forbidden' });
    });

    it('should refuse a test sign-in of a user the host does not know, or whose id is not a UUID, and a session id that is not one, saying why', async () => {
      const unknown = { id: randomUUID(), email: 'nobody@example.test', roles: [] };
      await expect(signInForTest(app, unknown)).rejects.toThrow(/signInForTest: your AuthUsersProvider's findById does not know the user/);
      await expect(signInForTest(app, { ...unknown, id: '42' })).rejects.toThrow(/user's id must be a UUID string .*got "42"/);
      await expect(assertSessionEnded(app, 'abc')).rejects.toThrow('a session id is a UUID (the sessionId a test sign-in returned), got "abc"');
    });

    it("should not take another guard's req.auth for a signed-in caller: RolesGuard 401, @CurrentUser() none", async () => {
      const refused = await request(server).get('/host-jwt/admin').expect(401);
      expect(refused.body).toMatchObject({ code: 'unauthenticated' });
      const me = await request(server).get('/host-jwt/me').expect(200);
      expect(me.body).toEqual({ email: null });
    });

    it('should leave routes the host did not guard open (the library binds nothing to them)', async () => {
      await request(server).get('/open').expect(200);
      for (let attempt = 0; attempt < 4; attempt++) await request(server).post('/open/limited').expect(201);
    });

    it('should bind no global guard: the library guards its own controllers, and nothing runs on the host routes', () => {
      expect(libraryGlobalGuards(app)).toBe(0);
    });

    it("should guard the library's admin routes in order: 401 without a session, 403 without the role, 200 with it", async () => {
      await request(server).get('/admin/users').expect(401);
      const member = await signInForTest(app, await newUser(app));
      const forbidden = await request(server).get('/admin/users').set(member.headers).expect(403);
      expect(forbidden.body).toMatchObject({ code: 'forbidden' });
      const admin = await signInForTest(app, await newUser(app, ['admin']));
      await request(server).get('/admin/users').set(admin.headers).expect(200);
    });

    it("should end the session a host's own sign-in replaces though no SessionGuard ran on its route (no fixation)", async () => {
      const user = await newUser(app);
      const previous = await signInForTest(app, user);

      const response = await request(server).post('/account/sign-in').set(previous.headers).send({ email: user.email }).expect(200);

      expect(response.body.session.id).not.toBe(previous.sessionId);
      const old = await request(server).get('/auth/me').set(previous.headers).expect(401);
      expect(old.body).toMatchObject({ code: 'session_ended', reason: 'replaced' });
    });

    it("should give a host's own sign-in bearer tokens that authenticate, rotate and end like the library's", async () => {
      const user = await newUser(app);

      const pair = await request(server).post('/account/token').send({ email: user.email }).expect(200);

      expect(pair.body).toMatchObject({ token_type: 'Bearer', session_id: expect.any(String), refresh_token: expect.any(String) });
      expect(pair.headers['set-cookie']).toBeUndefined();
      const me = await request(server).get('/auth/me').set('authorization', `Bearer ${pair.body.access_token}`).expect(200);
      expect(me.body.session.id).toBe(pair.body.session_id);
      const rotated = await request(server).post('/auth/token/refresh').send({ refresh_token: pair.body.refresh_token }).expect(200);
      await request(server).post('/auth/logout').set('authorization', `Bearer ${rotated.body.access_token}`).expect(200);
      await request(server).get('/auth/me').set('authorization', `Bearer ${rotated.body.access_token}`).expect(401);
    });

    it("should refuse a body its routes cannot read (415) once the caller is known, and leave the host's routes alone", async () => {
      const session = await signInForTest(app, await newUser(app));
      const body = '{"keepCurrent":true}';

      await request(server).post('/auth/logout-all').set('content-type', 'text/plain').send(body).expect(401);
      const refused = await request(server).post('/auth/logout-all').set(session.headers).set('content-type', 'text/plain').send(body).expect(415);
      expect(refused.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
      await request(server).get('/auth/me').set(session.headers).expect(200);
      await request(server).post('/open/limited').set('content-type', 'text/plain').send(body).expect(201);
    });

    it("should still guard and rate-limit the library's own routes", async () => {
      await request(server).get('/auth/me').expect(401);
      const user = await newUser(app);
      const session = await signInForTest(app, user);
      await request(server).get('/auth/me').set(session.headers).expect(200);

      const attempts: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        attempts.push((await request(server).post('/auth/login').send({ email: user.email, password: 'wrong password' })).status);
      }
      expect(attempts).toEqual([401, 401, 429]);
    });
  });

  describe('the global guard (default)', () => {
    let app: INestApplication;
    let server: Server;

    beforeAll(async () => {
      app = await createHost({ isGlobal: true }, { rateLimit: { limit: 2, windowSeconds: 60 } });
      server = app.getHttpServer() as Server;
    });

    afterAll(async () => {
      await app?.close();
    });

    it('should bind the rate limiter, SessionGuard and RolesGuard globally (APP_GUARD)', () => {
      expect(libraryGlobalGuards(app)).toBe(3);
    });

    it('should protect every host route and limit a host route marked @RateLimited(), answering 429 with Retry-After', async () => {
      await request(server).get('/open').expect(401);
      const user = await newUser(app);
      const session = await signInForTest(app, user);
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await request(server).post('/open/limited').set(session.headers);
        statuses.push(response.status);
        retryAfter = response.headers['retry-after'];
      }
      expect(statuses).toEqual([201, 201, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    });
  });

  describe("routes: a prefix and the optional APIs switched off, under the host's global prefix", () => {
    let app: INestApplication;
    let server: Server;

    beforeAll(async () => {
      app = await createHost(
        { isGlobal: true, routes: { prefix: 'identity', admin: false, audit: false, events: false } },
        { metrics: { public: true }, rateLimit: false },
        { globalPrefix: 'api' },
      );
      server = app.getHttpServer() as Server;
    });

    afterAll(async () => {
      await app?.close();
    });

    it('should serve the core routes under /api/identity and nowhere else', async () => {
      const user = await newUser(app);
      const login = await request(server).post('/api/identity/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);
      expect(parseSetCookies(login.headers['set-cookie']).get('sid')?.value).toBeTruthy();
      await request(server).post('/api/auth/login').send({ email: user.email, password: PASSWORD }).expect(404);
    });

    it('should not mount the admin, audit or events APIs that are switched off', async () => {
      const admin = await newUser(app, ['admin']);
      const session = await signInForTest(app, admin);
      await request(server).get('/api/identity/admin/users').set(session.headers).expect(404);
      await request(server).get('/api/identity/admin/audit').set(session.headers).expect(404);
      await request(server).get('/api/identity/auth/events').set(session.headers).expect(404);
      await request(server).get('/api/identity/auth/sessions').set(session.headers).expect(200);
    });

    it('should serve /metrics outside the global prefix and time logouts under the library prefix', async () => {
      const user = await newUser(app);
      const session = await signInForTest(app, user);
      await request(server).post('/api/identity/auth/logout').set(session.headers).send({}).expect(200);

      await request(server).get('/api/metrics').expect(404);
      const metrics = await request(server).get('/metrics').expect(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
      expect(metrics.text).toMatch(/^signoff_logout_duration_seconds_count\{route="logout",status="200"\} 1$/m);
      expect(metrics.text).toMatch(/^signoff_active_sessions \d+$/m);
    });
  });

  // A host that versions its API (`enableVersioning` with a default version) must not move the
  // library's routes: the contract, the console, cookies and single sign-on's registered URLs name
  // them without a version, and `routes.prefix` is the way to move them.
  describe.each([
    ['URI', { type: VersioningType.URI, defaultVersion: '1' }, { path: '/v1/open', headers: {}, elsewhere: '/open' }],
    [
      'header',
      { type: VersioningType.HEADER, header: 'X-Api-Version', defaultVersion: '1' },
      { path: '/open', headers: { 'X-Api-Version': '1' }, elsewhere: '/v1/open' },
    ],
  ] as const)('a host with %s versioning and a default version', (_name, versioning: VersioningOptions, hostRoute) => {
    let app: INestApplication;
    let server: Server;

    beforeAll(async () => {
      app = await createHost({ isGlobal: true }, { rateLimit: false }, { versioning });
      server = app.getHttpServer() as Server;
    });

    afterAll(async () => {
      await app?.close();
    });

    it("should version the host's own routes, behind the global guard as ever", async () => {
      let call = request(server).get(hostRoute.path);
      for (const [name, value] of Object.entries(hostRoute.headers)) call = call.set(name, value);
      await call.expect(401);
      await request(server).get(hostRoute.elsewhere).expect(404);
    });

    it("should keep the library's routes where the contract has them, for a request of any version or none", async () => {
      const user = await newUser(app);
      await request(server).post('/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);
      await request(server).post('/auth/login').set('X-Api-Version', '2').send({ email: user.email, password: PASSWORD }).expect(200);
      await request(server).post('/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(404);
      const session = await signInForTest(app, user);
      await request(server).get('/auth/sessions').set(session.headers).expect(200);
      await request(server).get('/auth/oidc/status').expect(200);
    });
  });

  /** A host's catch-all filter that reshapes every error, as many apps have one. */
  @Catch()
  class ReshapingFilter implements ExceptionFilter {
    catch(exception: unknown, host: ArgumentsHost): void {
      const status = exception instanceof HttpException ? exception.getStatus() : 500;
      const reply = host.switchToHttp().getResponse<{
        status?(code: number): { json?(body: unknown): void; send?(body: unknown): void };
        code?(code: number): { send(body: unknown): void };
      }>();
      const body = { error: { status, message: exception instanceof Error ? exception.message : 'error' } };
      if (typeof reply.code === 'function') reply.code(status).send(body);
      else reply.status!(status).json!(body);
    }
  }

  /** A host's interceptor that wraps every answer in `{ data }`, leaving the library's routes alone as the docs say. */
  class WrappingInterceptor implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      return isSignoffRoute(context) ? next.handle() : next.handle().pipe(map((data: unknown) => ({ data })));
    }
  }

  // The most common Nest setup: app.useGlobalPipes(new ValidationPipe(...)), often with a catch-all
  // filter and an interceptor that wraps answers. Global pipes and filters run on the library's routes too; the answers must stay the contract's.
  describe.each([
    ['express', false],
    ['fastify', true],
  ] as const)('a host with a strict global ValidationPipe (whitelist, forbidNonWhitelisted, transform, implicit conversion), on %s', (_platform, fastify) => {
    let app: INestApplication;
    let server: Server;

    beforeAll(async () => {
      app = await createHost(
        { isGlobal: true },
        { rateLimit: false },
        {
          fastify,
          pipes: [new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, transformOptions: { enableImplicitConversion: true } })],
          filters: [new ReshapingFilter()],
          interceptors: [new WrappingInterceptor()],
        },
      );
      server = app.getHttpServer() as Server;
    });

    afterAll(async () => {
      await app?.close();
    });

    it('should sign in, remember, list, refresh, end others and sign out as without it', async () => {
      const user = await newUser(app);
      const login = await request(server).post('/auth/login').send({ email: user.email, password: PASSWORD, rememberMe: true }).expect(200);
      const cookies = parseSetCookies(login.headers['set-cookie']);
      expect(cookies.get('sid')?.attributes['max-age']).toBeDefined();
      const cookie = `sid=${cookies.get('sid')!.value}; XSRF-TOKEN=${cookies.get('XSRF-TOKEN')!.value}`;
      const xsrf = cookies.get('XSRF-TOKEN')!.value;
      await request(server).get('/auth/sessions?include=ended').set('Cookie', cookie).expect(200);
      const token = await request(server).post('/auth/token').send({ email: user.email, password: PASSWORD }).expect(200);
      await request(server).post('/auth/token/refresh').send({ refresh_token: token.body.refresh_token }).expect(200);
      const all = await request(server).post('/auth/logout-all').set('Cookie', cookie).set('X-XSRF-TOKEN', xsrf).send({ keepCurrent: true }).expect(200);
      expect(all.body).toEqual({ revoked: 1 });
      await request(server).post('/auth/logout').set('Cookie', cookie).set('X-XSRF-TOKEN', xsrf).send({}).expect(200);
    });

    it('should still answer a wrong type, a null and an unknown property with 400 naming it', async () => {
      const user = await newUser(app);
      for (const [body, property] of [
        [{ email: user.email, password: PASSWORD, rememberMe: 'yes' }, 'rememberMe'],
        [{ email: user.email, password: PASSWORD, rememberMe: null }, 'rememberMe'],
        [{ email: user.email, password: PASSWORD, admin: true }, 'admin'],
        // Implicit conversion would read these as true and false.
        [{ email: user.email, password: PASSWORD, rememberMe: 'false' }, 'rememberMe'],
        [{ email: user.email, password: PASSWORD, rememberMe: '' }, 'rememberMe'],
        [{ email: user.email, password: PASSWORD, rememberMe: 1 }, 'rememberMe'],
      ] as const) {
        const answer = await request(server).post('/auth/login').send(body).expect(400);
        expect({ property, body: answer.body }).toEqual({
          property,
          body: { statusCode: 400, error: 'Bad Request', message: [expect.stringContaining(property)] },
        });
      }
    });

    it("should answer the library's refusals in the contract's shape, and leave the host's own routes to its filter", async () => {
      const anonymous = await request(server).get('/auth/me').expect(401);
      expect(anonymous.body).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
      const user = await newUser(app);
      const session = await signInForTest(app, user);
      await request(server).post('/auth/logout').set(session.headers).send({}).expect(200);
      const ended = await request(server).get('/auth/me').set(session.headers).expect(401);
      expect(ended.body).toMatchObject({ statusCode: 401, code: 'session_ended', reason: 'logout' });
      const admin = await newUser(app, ['admin']);
      const fresh = await signInForTest(app, admin);
      const forbidden = await request(server)
        .get('/admin/users')
        .set((await signInForTest(app, user)).headers)
        .expect(403);
      expect(forbidden.body).toMatchObject({ statusCode: 403, code: 'forbidden' });
      await request(server).get('/admin/users').set(fresh.headers).expect(200);

      const host = await request(server).get('/guarded').expect(401);
      expect(host.body).toEqual({ error: { status: 401, message: expect.any(String) } });
    });

    it("should let the host's wrapping interceptor tell the library's routes from its own (isSignoffRoute)", async () => {
      const user = await newUser(app);
      const session = await signInForTest(app, user);
      expect((await request(server).get('/auth/me').set(session.headers).expect(200)).body).toMatchObject({ user: { id: user.id } });
      expect((await request(server).get('/guarded').set(session.headers).expect(200)).body).toEqual({ data: expect.anything() });
    });

    it('should let an admin page the audit log and dry-run a revocation by filter, and refuse a dryRun that is not a boolean without revoking', async () => {
      const admin = await newUser(app, ['admin']);
      const target = await newUser(app);
      const session = await signInForTest(app, admin);
      const targetSession = await signInForTest(app, target);
      await request(server).get('/admin/audit?limit=5&type=login').set(session.headers).expect(200);
      await request(server).get('/admin/users?page=1&pageSize=5').set(session.headers).expect(200);
      const revoke = (dryRun: unknown) =>
        request(server)
          .post('/admin/sessions/revoke-by-filter')
          .set(session.headers)
          .send({ userIds: [target.id], dryRun, note: 'checking the filter' });
      expect((await revoke(true)).body).toEqual({ matched: 1, revoked: 0 });
      for (const junk of ['', 'false', 0, null]) expect({ junk, status: (await revoke(junk)).status }).toEqual({ junk, status: 400 });
      await request(server).get('/auth/me').set(targetSession.headers).expect(200);
    });
  });

  // compression() (Express) holds what a response writes until its buffer fills, unless the response
  // flushes: an event stream's `: connected` and heartbeats reached a client that accepts gzip only at
  // its end, and a proxy's idle timeout would cut every stream first.
  describe('a host with compression() on Express', () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await createHost({ isGlobal: true }, { rateLimit: false }, { middleware: [compression() as never] });
      await app.listen(0, '127.0.0.1');
    });

    afterAll(async () => {
      await app?.close();
    });

    it('should deliver the event stream as it is written to a client that accepts gzip', async () => {
      const user = await newUser(app);
      const session = await signInForTest(app, user);
      const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
      const first = await new Promise<{ encoding: string | undefined; cacheControl: string | undefined; text: string }>((resolve, reject) => {
        const req = httpGet(
          { host: '127.0.0.1', port, path: '/auth/events', headers: { ...session.headers, 'accept-encoding': 'gzip', accept: 'text/event-stream' } },
          (res) => {
            const timer = setTimeout(() => {
              req.destroy();
              reject(new Error('no event within 2 s: the stream is held back'));
            }, 2000);
            const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
            body.on('error', () => undefined);
            body.once('data', (chunk: Buffer) => {
              clearTimeout(timer);
              req.destroy();
              resolve({ encoding: res.headers['content-encoding'], cacheControl: res.headers['cache-control'], text: chunk.toString('utf8') });
            });
          },
        );
        req.on('error', () => undefined);
      });
      // Compressed, and still sent on at once; the contract's header as everywhere else.
      expect(first).toEqual({ encoding: 'gzip', cacheControl: 'no-store', text: ': connected\n\n' });
    });
  });

  // Answers written piece by piece (the event stream, the audit export) take over the raw response; on
  // Fastify the reply is hijacked, and the headers its plugins had set on the reply (CORS, helmet's)
  // were left behind: a browser on the host's other origin could not read the stream.
  describe.each([
    ['Express', false],
    ['Fastify', true],
  ])('a host with CORS, helmet, a cookie parser and its own headers on %s', (_adapter, fastify) => {
    const origin = 'https://app.example.test';
    let app: INestApplication;
    let port: number;

    beforeAll(async () => {
      const ownHeader = (_req: unknown, res: { setHeader?(name: string, value: string): void }, next: () => void): void => {
        res.setHeader?.('X-Host-Header', 'kept');
        next();
      };
      app = await createHost(
        { isGlobal: true },
        { rateLimit: false },
        {
          fastify,
          cors: { origin, credentials: true },
          ...(fastify
            ? {
                plugins: [
                  [fastifyHelmet, {}],
                  [fastifyCookie, { secret: 'the host cookie secret' }],
                ],
                onRequest: [(_request, reply, done) => (reply.header('x-host-header', 'kept'), done())],
              }
            : { middleware: [helmet() as never, cookieParser('the host cookie secret') as never, ownHeader as never] }),
        },
      );
      await app.listen(0, '127.0.0.1');
      ({ port } = (app.getHttpServer() as Server).address() as AddressInfo);
    });

    afterAll(async () => {
      await app?.close();
    });

    /** The status and headers of a GET from the other origin; the body is not waited for (a stream never ends). */
    function headersOf(path: string, headers: Record<string, string>): Promise<{ status: number | undefined; headers: Record<string, unknown> }> {
      return new Promise((resolve, reject) => {
        const req = httpGet({ host: '127.0.0.1', port, path, headers: { ...headers, origin } }, (res) => {
          resolve({ status: res.statusCode, headers: res.headers });
          res.on('error', () => undefined);
          req.destroy();
        });
        req.on('error', reject);
        req.setTimeout(5000, () => req.destroy(new Error(`no answer from ${path}`)));
      });
    }

    // CORS, one of helmet's headers, and the host's own.
    const crossOrigin = {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'x-content-type-options': 'nosniff',
      'x-host-header': 'kept',
    };

    it("should set and clear the library's cookies beside the host's cookie parser", async () => {
      const user = await newUser(app);
      const server = app.getHttpServer() as Server;
      const login = await request(server).post('/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);
      const set = parseSetCookies(login.headers['set-cookie']);
      expect([...set.keys()].sort()).toEqual(['XSRF-TOKEN', 'sid']);
      expect(set.get('sid')?.attributes).toMatchObject({ httponly: true, path: '/', samesite: 'Lax' });
      const cookie = `sid=${set.get('sid')!.value}; XSRF-TOKEN=${set.get('XSRF-TOKEN')!.value}`;
      await request(server).get('/auth/me').set('Cookie', cookie).expect(200);
      const logout = await request(server).post('/auth/logout').set('Cookie', cookie).set('X-XSRF-TOKEN', set.get('XSRF-TOKEN')!.value).send({}).expect(200);
      const cleared = parseSetCookies(logout.headers['set-cookie']);
      expect({ sid: cleared.get('sid')?.attributes['max-age'], xsrf: cleared.get('XSRF-TOKEN')?.attributes['max-age'] }).toEqual({ sid: '0', xsrf: '0' });
      await request(server).get('/auth/me').set('Cookie', cookie).expect(401);
    });

    it("should send the host's CORS and own headers on a JSON answer (the control)", async () => {
      const session = await signInForTest(app, await newUser(app));
      const answer = await headersOf('/auth/me', session.headers);
      expect({ status: answer.status, ...pick(answer.headers, crossOrigin) }).toEqual({ status: 200, ...crossOrigin });
    });

    it("should send them on the event stream, with the stream's own headers", async () => {
      const session = await signInForTest(app, await newUser(app));
      const answer = await headersOf('/auth/events', { ...session.headers, accept: 'text/event-stream' });
      expect({ status: answer.status, ...pick(answer.headers, crossOrigin) }).toEqual({ status: 200, ...crossOrigin });
      expect(answer.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(answer.headers['cache-control']).toBe('no-store');
    });

    it('should send them on the audit export', async () => {
      const admin = await signInForTest(app, await newUser(app, ['admin']));
      const answer = await headersOf('/admin/audit/export?format=ndjson', admin.headers);
      expect({ status: answer.status, ...pick(answer.headers, crossOrigin) }).toEqual({ status: 200, ...crossOrigin });
      expect(answer.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(answer.headers['cache-control']).toBe('no-store');
    });
  });

  describe('metrics', () => {
    it('should be off by default: no /metrics route at all', async () => {
      const app = await createHost({ isGlobal: true });
      try {
        await request(app.getHttpServer() as Server)
          .get('/metrics')
          .expect(404);
      } finally {
        await app.close();
      }
    });

    it('should need the token when one is set, at the configured path, on Fastify too', async () => {
      const app = await createHost(
        { isGlobal: true },
        { metrics: { token: 'scrape-token-0123456789', path: '/internal/metrics' } },
        { fastify: true, globalPrefix: 'api' },
      );
      try {
        const server = app.getHttpServer() as Server;
        const refused = await request(server).get('/internal/metrics').expect(401);
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
        await request(server).get('/internal/metrics').set('Authorization', 'Bearer wrong').expect(401);
        const allowed = await request(server).get('/internal/metrics').set('Authorization', 'Bearer scrape-token-0123456789').expect(200);
        expect(allowed.text).toMatch(/^signoff_sessions_ended_total\{reason="logout"\} \d+$/m);
        await request(server).get('/metrics').expect(404);
      } finally {
        await app.close();
      }
    });
  });
});

/** The headers of `actual` named in `expected` (absent ones as `undefined`). */
function pick(actual: Record<string, unknown>, expected: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(expected).map((name) => [name, actual[name]]));
}

/** How many global guards (`APP_GUARD` providers) the library's module registered in this app. */
function libraryGlobalGuards(app: INestApplication): number {
  const module = [...app.get(ModulesContainer).values()].find((candidate) => candidate.metatype === AuthSessionsModule);
  if (!module) throw new Error('AuthSessionsModule is not in the app');
  return [...module.providers.keys()].filter((token) => typeof token === 'string' && token.startsWith(APP_GUARD)).length;
}
