import { RedisConnectionError, resolveRedisConnection } from '@signoff/auth-sessions';
import type { PasswordHashing } from '../users/password-hasher.js';

/** The demo app's configuration, read once from the environment (the contract's run table). */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  /** The Nest HTTP platform the demo runs on (`HTTP_ADAPTER`): the library works the same on both. */
  httpAdapter: 'express' | 'fastify';
  /** Null when unset: the app then tries localhost, then an embedded PostgreSQL. */
  databaseUrl: string | null;
  /**
   * The role that owns the schema and runs migrations (MIGRATION_DATABASE_URL), when the app itself
   * runs as a less privileged role (DATABASE_URL). Null: one role does both, as in development.
   */
  migrationDatabaseUrl: string | null;
  /**
   * Null when unset: the app then tries localhost, then a local redis-server. `redis://`,
   * `rediss://`, or `redis+sentinel://host:port[,host:port…]/<master name>[/<db>]` (docs/redis.md).
   */
  redisUrl: string | null;
  /** Prefix of every Redis key (BullMQ, rate limits), so several deployments or test runs can share a Redis. */
  redisPrefix: string;
  publicOrigin: string;
  cookieSecure: boolean;
  trustProxy: number;
  adminEmail: string | null;
  adminPassword: string | null;
  allowRegistration: boolean;
  jwtSecret: string | null;
  authRateLimit: number;
  refreshReuseGraceSeconds: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  rememberMeIdleSeconds: number;
  rememberMeAbsoluteSeconds: number;
  freshAgeSeconds: number;
  accessTokenSeconds: number;
  metricsToken: string | null;
  logLevel: string;
  /** How often expired sessions are swept (ms); tests lower it. */
  sessionSweepMs: number;
  /** Where the embedded PostgreSQL and redis-server keep their data. */
  dataDir: string;
  /** Whether this process runs the BullMQ worker (`npm run worker` runs one on its own). */
  runWorkers: boolean;
  eventsHeartbeatMs: number;
  jobBatchSize: number;
  jobLockDurationMs: number;
  jobStalledIntervalMs: number;
  /** Whether active sessions are served from the instance cache (benchmarks compare both). */
  sessionCache: boolean;
  /** Tried when DATABASE_URL / REDIS_URL are unset, before the embedded servers are started. */
  localDatabaseUrl: string;
  localRedisUrl: string;
  /** Idle keep-alive connections stay open this long: longer than any load balancer in front keeps its side. */
  keepAliveTimeoutMs: number;
  /** How long SIGTERM waits for requests, streams and the worker's job before forcing the stop. */
  shutdownTimeoutMs: number;
  /** `pretty` (for people), `json`, or `auto`: pretty when stdout is a terminal. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** Whether request log lines carry the (redacted) request and response headers. */
  logHeaders: boolean;
  /** `PASSWORD_HASHING`: `standard` argon2id, or `fast` for the test suite only (NODE_ENV=test; see PasswordHasher). */
  passwordHashing: PasswordHashing;
  /** Single sign-on (`OIDC_*`, contract sso.md); null when `OIDC_ISSUER` is unset. */
  oidc: { issuer: string; clientId: string; clientSecret: string; scopes: string[]; rpLogout: boolean } | null;
}

/** Thrown for a configuration that cannot work; the message says which variable and how to fix it. */
export class ConfigError extends Error {}

/** Reads and validates the environment. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = env['NODE_ENV'] ?? 'development';
  const isProduction = nodeEnv === 'production';
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const publicOrigin = env['PUBLIC_ORIGIN'] ?? (isProduction ? undefined : `http://localhost:${port}`);
  if (!publicOrigin) throw new ConfigError('PUBLIC_ORIGIN is required in production: set it to the origin users browse to, e.g. https://signoff.example.com');
  try {
    new URL(publicOrigin);
  } catch {
    throw new ConfigError(`PUBLIC_ORIGIN must be an absolute URL such as https://signoff.example.com (got "${publicOrigin}")`);
  }
  const jwtSecret = env['JWT_SECRET'] || null;
  if (isProduction && !jwtSecret)
    throw new ConfigError('JWT_SECRET is required in production: set it to at least 32 random bytes (e.g. `openssl rand -base64 48`).');
  const accessTokenSeconds = integer(env, 'ACCESS_TOKEN_SECONDS', 900, 1, 900);
  const httpAdapter = env['HTTP_ADAPTER'] || 'express';
  if (httpAdapter !== 'express' && httpAdapter !== 'fastify') throw new ConfigError(`HTTP_ADAPTER must be express or fastify (got "${httpAdapter}")`);
  const databaseUrl = env['DATABASE_URL'] || null;
  const redisUrl = env['REDIS_URL'] || null;
  if (redisUrl) {
    try {
      resolveRedisConnection({ url: redisUrl });
    } catch (error) {
      if (!(error instanceof RedisConnectionError)) throw error;
      throw new ConfigError(`REDIS_URL: ${error.message}`);
    }
  }
  return {
    nodeEnv,
    port,
    httpAdapter,
    databaseUrl,
    migrationDatabaseUrl: checkMigrationDatabaseUrl(env['MIGRATION_DATABASE_URL'] || null, databaseUrl),
    redisUrl,
    redisPrefix: env['REDIS_PREFIX'] || 'signoff',
    publicOrigin: new URL(publicOrigin).origin,
    cookieSecure: boolean(env, 'COOKIE_SECURE', isProduction),
    trustProxy: integer(env, 'TRUST_PROXY', 0, 0, 10),
    adminEmail: env['ADMIN_EMAIL'] || null,
    adminPassword: env['ADMIN_PASSWORD'] || null,
    allowRegistration: boolean(env, 'ALLOW_REGISTRATION', true),
    jwtSecret,
    authRateLimit: integer(env, 'AUTH_RATE_LIMIT', 20, 0, 1_000_000),
    refreshReuseGraceSeconds: integer(env, 'REFRESH_REUSE_GRACE_SECONDS', 10, 0, 300),
    sessionIdleSeconds: integer(env, 'SESSION_IDLE_SECONDS', 1800, 1, 31_536_000),
    sessionAbsoluteSeconds: integer(env, 'SESSION_ABSOLUTE_SECONDS', 43200, 1, 31_536_000),
    rememberMeIdleSeconds: integer(env, 'REMEMBER_ME_IDLE_SECONDS', 604800, 1, 31_536_000),
    rememberMeAbsoluteSeconds: integer(env, 'REMEMBER_ME_ABSOLUTE_SECONDS', 2592000, 1, 31_536_000),
    freshAgeSeconds: integer(env, 'FRESH_AGE_SECONDS', 900, 1, 86_400),
    accessTokenSeconds,
    metricsToken: env['METRICS_TOKEN'] || null,
    logLevel: env['LOG_LEVEL'] || (nodeEnv === 'test' ? 'warn' : 'info'),
    sessionSweepMs: integer(env, 'SESSION_SWEEP_MS', 60_000, 100, 86_400_000),
    dataDir: env['DATA_DIR'] || '.data',
    runWorkers: boolean(env, 'RUN_WORKERS', true),
    eventsHeartbeatMs: integer(env, 'EVENTS_HEARTBEAT_MS', 20_000, 100, 25_000),
    jobBatchSize: integer(env, 'JOB_BATCH_SIZE', 1000, 1, 100_000),
    jobLockDurationMs: integer(env, 'JOB_LOCK_DURATION_MS', 30_000, 500, 600_000),
    jobStalledIntervalMs: integer(env, 'JOB_STALLED_INTERVAL_MS', 30_000, 500, 600_000),
    sessionCache: boolean(env, 'SESSION_CACHE', true),
    localDatabaseUrl: env['LOCAL_DATABASE_URL'] || 'postgres://postgres@localhost:5432/signoff',
    localRedisUrl: env['LOCAL_REDIS_URL'] || 'redis://localhost:6379',
    keepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1000, 3_600_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 1000, 3_600_000),
    logFormat: oneOf(env, 'LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto'),
    logHeaders: boolean(env, 'LOG_HEADERS', false),
    passwordHashing: passwordHashing(env, nodeEnv),
    oidc: oidcConfig(env),
  };
}

/** `PASSWORD_HASHING`: the cheap hash exists for the test suite, and nothing else may turn it on. */
function passwordHashing(env: NodeJS.ProcessEnv, nodeEnv: string): PasswordHashing {
  const hashing = oneOf(env, 'PASSWORD_HASHING', ['standard', 'fast'] as const, 'standard');
  if (hashing === 'fast' && nodeEnv !== 'test') {
    throw new ConfigError(
      `PASSWORD_HASHING=fast is for the test suite only (NODE_ENV=test; got NODE_ENV=${nodeEnv}): unset it to hash passwords with argon2id's standard cost`,
    );
  }
  return hashing;
}

/** MIGRATION_DATABASE_URL must name the same database as DATABASE_URL, as another role. */
export function checkMigrationDatabaseUrl(migration: string | null, runtime: string | null): string | null {
  if (!migration) return null;
  if (!runtime) {
    throw new ConfigError(
      'MIGRATION_DATABASE_URL needs DATABASE_URL too: DATABASE_URL is the role the app runs as, MIGRATION_DATABASE_URL the role that owns the schema (docs/postgres.md)',
    );
  }
  const [owner, app] = [parsePostgresUrl('MIGRATION_DATABASE_URL', migration), parsePostgresUrl('DATABASE_URL', runtime)];
  const place = (url: URL) => `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  if (place(owner) !== place(app)) {
    throw new ConfigError(`MIGRATION_DATABASE_URL and DATABASE_URL must name the same database (got ${place(owner)} and ${place(app)})`);
  }
  if (!app.username)
    throw new ConfigError(
      'DATABASE_URL must name its role (postgres://<role>:<password>@host/db) when MIGRATION_DATABASE_URL is set: that role gets the runtime grants',
    );
  return migration;
}

function parsePostgresUrl(name: string, value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return url;
  } catch {
    // reported below
  }
  throw new ConfigError(`${name} must be a postgres:// URL`);
}

function oidcConfig(env: NodeJS.ProcessEnv): AppConfig['oidc'] {
  const issuer = env['OIDC_ISSUER'];
  if (!issuer) return null;
  const clientId = env['OIDC_CLIENT_ID'];
  const clientSecret = env['OIDC_CLIENT_SECRET'];
  if (!clientId || !clientSecret) {
    throw new ConfigError("OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required with OIDC_ISSUER: the demo's client at that provider (client_secret_basic).");
  }
  const scopes = (env['OIDC_SCOPES'] || 'openid email profile').split(/\s+/).filter(Boolean);
  return { issuer, clientId, clientSecret, scopes, rpLogout: boolean(env, 'OIDC_RP_LOGOUT', true) };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}
