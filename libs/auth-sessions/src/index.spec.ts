import 'reflect-metadata';
import { AUTH_SESSIONS_OPTIONS } from './auth-sessions.module-definition.js';
import { AuthSessionsModule } from './auth-sessions.module.js';
import * as publicApi from './index.js';

// Nest marks @Injectable() classes with this metadata key; guards (@UseGuards/APP_GUARD) and pipes (`new` in
// @Body()/@UsePipes) are bound where they are used, not injected.
const INJECTABLE = '__injectable__';
const GUARDS = new Set<unknown>([
  publicApi.SessionGuard,
  publicApi.RolesGuard,
  publicApi.LocalAuthGuard,
  publicApi.AuthRateLimitGuard,
  publicApi.InputValidationPipe,
]);
// Exported by the module only so that `@UseGuards(SessionGuard, RolesGuard, AuthRateLimitGuard)` resolves in a host
// module (globalGuard: false): Nest builds a guard where it is used, from the providers visible there. Their
// classes are not in index.ts, so a host cannot name (or inject) them.
const GUARD_DEPENDENCIES = new Set(['SessionsService', 'SessionCookies', 'BearerAuthenticator', 'HttpEdge', 'AuthRedis', 'SecurityEvents']);

describe('the public entry (index.ts) and AuthSessionsModule', () => {
  const moduleExports = new Set<unknown>(Reflect.getMetadata('exports', AuthSessionsModule) as unknown[]);
  const exportedServices = Object.values(publicApi).filter(
    (value) => typeof value === 'function' && Reflect.getMetadata(INJECTABLE, value) === true && !GUARDS.has(value),
  );

  it('should let a host inject every service index.ts exports', () => {
    const notInjectable = exportedServices.filter((service) => !moduleExports.has(service)).map((service) => (service as { name: string }).name);
    expect(notInjectable).toEqual([]);
  });

  it('should export from the module only what index.ts also exports', () => {
    const publicValues = new Set<unknown>(Object.values(publicApi));
    const hidden = [...moduleExports].filter(
      (provider) => provider !== AUTH_SESSIONS_OPTIONS && !publicValues.has(provider) && !GUARD_DEPENDENCIES.has((provider as { name?: string }).name ?? ''),
    );
    expect(hidden.map((provider) => (provider as { name?: string }).name ?? String(provider))).toEqual([]);
  });
});
