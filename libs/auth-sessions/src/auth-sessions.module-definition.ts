import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthSessionsOptions } from './auth-sessions.options.js';

/**
 * Which of the library's optional HTTP APIs are mounted, and where. Part of the module's definition
 * (next to `useFactory`, not returned by it): Nest reads a module's controllers when it builds the
 * module graph, before any factory runs, so a route cannot depend on a value a factory computes.
 */
export interface AuthSessionsRoutes {
  /**
   * A path in front of every route of the library (`'identity'` serves `/identity/auth/login`), after
   * the host's global prefix. Empty for none.
   * @default ''
   */
  prefix?: string;
  /** The admin users and sessions API (`/admin/users…`, `/admin/sessions/revoke-by-filter`). @default true */
  admin?: boolean;
  /** The admin audit-log API (`/admin/audit`, `/admin/audit/export`). @default true */
  audit?: boolean;
  /** The end user's Server-Sent Events stream (`/auth/events`). @default true */
  events?: boolean;
}

/**
 * Options that shape the module itself rather than its services. Given next to `useFactory`
 * (`forRootAsync({ isGlobal: true, routes: { admin: false }, useFactory })`) or with the options (`forRoot`).
 */
export interface AuthSessionsModuleExtras {
  /**
   * Register the module globally, as `ConfigModule` and `CacheModule` do: its exported services
   * (`SignInService`, `CredentialsService`, …) can then be injected in every module of the host.
   * @default false
   */
  isGlobal?: boolean;
  /**
   * Bind `SessionGuard`, `RolesGuard` and the rate limiter to every route of the app (`APP_GUARD`).
   * With `false` the library guards only its own routes, and the host binds `SessionGuard`
   * (`@UseGuards(SessionGuard, RolesGuard)`) where it wants it.
   * @default true
   */
  globalGuard?: boolean;
  /** Which optional APIs are mounted, and under which path. */
  routes?: AuthSessionsRoutes;
  /**
   * The `name` of the TypeORM DataSource that holds the library's tables
   * (`TypeOrmModule.forRoot({ name: 'auth', … })`), when it is not your default one: the library's
   * own PostgreSQL beside an app whose default DataSource is another database, or another schema
   * without moving your entities. The `manager` the library hands your `AuthUsersProvider` (and takes
   * in `credentialsChanged`, `eraseUser`) is then that DataSource's.
   * @default your default DataSource
   */
  dataSource?: string;
}

/** Module extras after defaults are applied. */
export interface ResolvedAuthSessionsModuleExtras {
  isGlobal: boolean;
  globalGuard: boolean;
  routes: Required<AuthSessionsRoutes>;
  /** The DataSource's name; undefined for the default DataSource. */
  dataSource: string | undefined;
}

export const DEFAULT_AUTH_SESSIONS_MODULE_EXTRAS: ResolvedAuthSessionsModuleExtras = {
  isGlobal: false,
  globalGuard: true,
  routes: { prefix: '', admin: true, audit: true, events: true },
  dataSource: undefined,
};

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: AUTH_SESSIONS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthSessionsOptions>({ moduleName: 'AuthSessions' })
  .setClassMethodName('forRoot')
  // Every extra is named here: Nest leaves these keys out of the options (which refuse keys they do not know).
  .setExtras<AuthSessionsModuleExtras>({ isGlobal: false, globalGuard: true, routes: {}, dataSource: undefined }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
  }))
  .build();

/** Injection token of the resolved options (defaults applied). */
export const AUTH_SESSIONS_OPTIONS = Symbol('AUTH_SESSIONS_OPTIONS');

/** Injection token of the resolved module extras (`isGlobal`, `globalGuard`, `routes`). */
export const AUTH_SESSIONS_MODULE_EXTRAS = Symbol('AUTH_SESSIONS_MODULE_EXTRAS');

/** Applies defaults to the extras of a `forRoot`/`forRootAsync` call and rejects a prefix that cannot be a path. */
export function resolveModuleExtras(extras: AuthSessionsModuleExtras): ResolvedAuthSessionsModuleExtras {
  const defaults = DEFAULT_AUTH_SESSIONS_MODULE_EXTRAS;
  const prefix = (extras.routes?.prefix ?? defaults.routes.prefix).replace(/^\/+|\/+$/g, '');
  // Segments of letters, digits and -_.~ that do not start with a dot (no '.' or '..').
  if (!/^([A-Za-z0-9_~-][A-Za-z0-9._~-]*(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*)?$/.test(prefix)) {
    throw new Error(`AuthSessionsModule: \`routes.prefix\` must be a plain path such as 'identity' or 'v1/auth' (got "${extras.routes?.prefix}").`);
  }
  const dataSource: unknown = extras.dataSource;
  if (dataSource !== undefined && (typeof dataSource !== 'string' || dataSource.trim() === '')) {
    throw new Error(
      `AuthSessionsModule: \`dataSource\` is the name of a TypeORM DataSource (TypeOrmModule.forRoot({ name })), or left out for the default one (got ${JSON.stringify(dataSource)}).`,
    );
  }
  return {
    dataSource: dataSource === 'default' ? undefined : dataSource,
    isGlobal: extras.isGlobal ?? defaults.isGlobal,
    globalGuard: extras.globalGuard ?? defaults.globalGuard,
    routes: {
      prefix,
      admin: extras.routes?.admin ?? defaults.routes.admin,
      audit: extras.routes?.audit ?? defaults.routes.audit,
      events: extras.routes?.events ?? defaults.routes.events,
    },
  };
}
