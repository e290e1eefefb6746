/** The demo app's configuration, read once from the environment (the contract's run table). */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  /** The Nest HTTP platform the demo runs on (`HTTP_ADAPTER`): the library works the same on both. */
  httpAdapter: 'express' | 'fastify';
  /** Null when unset: the app then tries localhost, then an embedded PostgreSQL. */
  databaseUrl: string | null;
  /** Null when unset: the app then tries localhost, then a local redis-server. */
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
  if (isProduction && !jwtSecret) throw new ConfigError('JWT_SECRET is required in production: set it to at least 32 random bytes (e.g. `openssl rand -base64 48`).');
  const accessTokenSeconds = integer(env, 'ACCESS_TOKEN_SECONDS', 900, 1, 900);
  const httpAdapter = env['HTTP_ADAPTER'] || 'express';
  if (httpAdapter !== 'express' && httpAdapter !== 'fastify') throw new ConfigError(`HTTP_ADAPTER must be express or fastify (got "${httpAdapter}")`);
  return {
    nodeEnv,
    port,
    httpAdapter,
    databaseUrl: env['DATABASE_URL'] || null,
    redisUrl: env['REDIS_URL'] || null,
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
    oidc: oidcConfig(env),
  };
}

function oidcConfig(env: NodeJS.ProcessEnv): AppConfig['oidc'] {
  const issuer = env['OIDC_ISSUER'];
  if (!issuer) return null;
  const clientId = env['OIDC_CLIENT_ID'];
  const clientSecret = env['OIDC_CLIENT_SECRET'];
  if (!clientId || !clientSecret) {
    throw new ConfigError('OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required with OIDC_ISSUER: the demo\'s client at that provider (client_secret_basic).');
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

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}
