import type { RedisOptions } from 'ioredis';
import { type RedisConnection, RedisConnectionError, resolveRedisConnection } from './common/redis-connection.js';
import type { RateLimitStorage } from './throttling/rate-limit-storage.js';
import type { PlaceLookup } from './places/place-lookup.js';
import type { AuthUsersProvider } from './users/users-provider.js';
import type { OidcOptions } from './sso/oidc.options.js';

/** Lifetimes of one kind of session, in seconds. */
export interface SessionLifetime {
  /** Idle lifetime: the session ends this long after its last recorded activity. */
  idleSeconds: number;
  /** Absolute lifetime: the session ends this long after sign-in, whatever the activity. */
  absoluteSeconds: number;
}

/** How access tokens are signed. HS256 by default; EdDSA or ES256 with key files and a `kid` can rotate keys. */
export interface AccessTokenOptions {
  /**
   * HS256 secret, at least 32 characters. When unset (HS256), one is generated once and kept in the
   * `auth_secrets` table so every instance shares it; set it in production.
   */
  secret?: string;
  /** @default 'HS256' */
  algorithm?: 'HS256' | 'EdDSA' | 'ES256';
  /** PEM (PKCS#8) private key for EdDSA or ES256. */
  privateKey?: string;
  /** The `kid` written in tokens signed with `privateKey`. */
  keyId?: string;
  /** PEM (SPKI) public keys accepted for verification, by `kid`: keep retired keys here during a rotation. */
  publicKeys?: Record<string, string>;
  /** Lifetime in seconds, at most 900. @default 900 */
  ttlSeconds?: number;
}

/** What a credential change does to the user's other sessions. */
export interface CredentialChangePolicy {
  /** Keep (and rotate) the session that made the change; the others end. */
  keepCurrent: boolean;
  /** Send the ended sessions' event streams a `logout` event at once (else they close at their next heartbeat). */
  notify: boolean;
}

/**
 * The Prometheus endpoint. Off unless a `token` is set or `public` is true. It is registered on the
 * HTTP server itself, not as a controller, so the host's global prefix does not apply to it.
 */
export interface MetricsOptions {
  /** Scrapes must send `Authorization: Bearer <token>` (compared in constant time). Setting it turns metrics on. */
  token?: string;
  /** Serve metrics without a token: only where nothing but your scraper can reach `path`. @default false */
  public?: boolean;
  /** Where the endpoint answers, from the server's root (the global prefix is not added). @default '/metrics' */
  path?: string;
}

/**
 * The limit on the routes marked `@RateLimited()`, per route and client IP, shared by all instances.
 * A caller over the limit gets 429 with `Retry-After` for the rest of the window.
 */
export interface RateLimitOptions {
  /** Requests allowed per window, per route and client IP. @default 20 */
  limit?: number;
  /** The window, in seconds. @default 60 */
  windowSeconds?: number;
  /**
   * Where counters live. Default: the library's Redis, falling back to per-instance counters while it
   * is down. Any `@nestjs/throttler` `ThrottlerStorage` fits; when it fails, the same fallback applies.
   */
  storage?: RateLimitStorage;
}

/** The credential changes that log a user out everywhere. */
export type CredentialChangeKind = 'password' | 'email' | 'security_concern';

/** Options of `AuthSessionsModule.forRoot()` / `forRootAsync()`. */
export interface AuthSessionsOptions {
  /** The host's users, behind the small interface the library needs. */
  users: AuthUsersProvider;
  /** The origin users browse to (`https://app.example.com`); Origin checks compare against it. */
  publicOrigin: string;
  /**
   * Redis for cross-instance signals: session-ended notifications (event streams, instance caches).
   * One server (`{ url: 'redis://…' }`) or a Sentinel-managed primary (`{ url: 'redis+sentinel://…' }`
   * or `{ sentinels: [{ host, port }], name }`). BullMQ keeps its own connection (`BullModule.forRoot`):
   * give it the same place with `redisOptionsFromUrl(url)`.
   * @see docs/redis.md
   */
  redis: RedisConnection & { /** Key and channel prefix. @default 'signoff' */ prefix?: string };
  /**
   * Whether cookies are `Secure` and the session cookie uses the `__Host-` prefix.
   * @default false
   */
  cookieSecure?: boolean;
  /** Ordinary sessions. @default { idleSeconds: 1800, absoluteSeconds: 43200 } */
  session?: Partial<SessionLifetime>;
  /** `rememberMe` sessions (persistent cookie). @default { idleSeconds: 604800, absoluteSeconds: 2592000 } */
  rememberMe?: Partial<SessionLifetime>;
  /** How long after sign-in or reauth a session counts as fresh for step-up. @default 900 */
  freshAgeSeconds?: number;
  /** `Clear-Site-Data` directives sent when the caller's session ends. @default ['cache', 'cookies', 'storage'] */
  clearSiteData?: Array<'cache' | 'cookies' | 'storage' | 'executionContexts' | '*'>;
  /** Where logout sends the browser when no safe `returnTo` is given. @default '/login?logged_out=1' */
  logoutRedirect?: string;
  /** How often the expiry job runs, in milliseconds. @default 60000 */
  expirySweepEveryMs?: number;
  /** Whether the library registers its BullMQ worker in this process. @default true */
  runWorkers?: boolean;
  /** Bearer mode (API and mobile clients). */
  accessTokens?: AccessTokenOptions;
  /** How long a spent refresh token may still get the same successor while that successor is unused. @default 10 */
  refreshReuseGraceSeconds?: number;
  /** What a replayed refresh token ends: its own session, or every session of the user. @default 'session' */
  refreshReuseRevokes?: 'session' | 'user';
  /**
   * Per trigger: keep the current session, and notify the others' event streams.
   * @default { password: { keepCurrent: true, notify: true }, email: { keepCurrent: true, notify: true }, security_concern: { keepCurrent: false, notify: true } }
   */
  credentialChanges?: Partial<Record<CredentialChangeKind, Partial<CredentialChangePolicy>>>;
  /** Event streams (`GET /api/auth/events`): comment heartbeat and session re-check interval in ms, at most 25000. @default 20000 */
  eventsHeartbeatMs?: number;
  /** BullMQ tuning of the library's worker: sessions per clean-up batch and stalled-job recovery. */
  jobs?: { batchSize?: number; lockDurationMs?: number; stalledIntervalMs?: number };
  /** Serve active sessions from the instance cache (no store round trip on most requests, no revocation window). @default true */
  sessionCache?: boolean;
  /** The Prometheus endpoint; off unless `metrics.token` is set or `metrics.public` is true. */
  metrics?: MetricsOptions;
  /** Rate limits on the `@RateLimited()` routes; `false` turns them off (tests, or a limiter of your own in front). @default { limit: 20, windowSeconds: 60 } */
  rateLimit?: RateLimitOptions | false;
  /** Days audit events are kept; the daily prune deletes older ones. At least 30. @default 400 */
  auditRetentionDays?: number;
  /** How often the sealer adds committed audit events to the hash chain, in milliseconds. @default 1000 */
  auditSealEveryMs?: number;
  /**
   * Where a session's coarse place (`Session.location`) comes from, looked up once at sign-in:
   * a {@link PlaceLookup} (for example `MmdbPlaceLookup` over an offline city database), or `false`
   * for no places at all. Private and loopback addresses read "Local network" without a lookup.
   * @default no lookup: only "Local network" for private and loopback addresses
   */
  places?: PlaceLookup | false;
  // --- single sign-on (sso/): resolved on its own by resolveOidcOptions ---
  /**
   * Single sign-on through an OpenID Provider: sign-in (code flow with PKCE), RP-initiated logout,
   * back-channel logout and Shared Signals. Off when unset. Needs `users.provisionSsoUser`.
   * @see docs/sso.md
   */
  oidc?: OidcOptions;
  // --- end single sign-on ---
}

/** Options after defaults are applied; services inject this. */
export interface ResolvedAuthSessionsOptions {
  users: AuthUsersProvider;
  publicOrigin: string;
  /** ioredis options (one server or Sentinels), a description safe to log, and the key prefix. */
  redis: { options: RedisOptions; description: string; prefix: string };
  cookieSecure: boolean;
  session: SessionLifetime;
  rememberMe: SessionLifetime;
  freshAgeSeconds: number;
  clearSiteData: string[];
  logoutRedirect: string;
  expirySweepEveryMs: number;
  runWorkers: boolean;
  accessTokens: Required<Pick<AccessTokenOptions, 'algorithm' | 'ttlSeconds'>> & Omit<AccessTokenOptions, 'algorithm' | 'ttlSeconds'>;
  refreshReuseGraceSeconds: number;
  refreshReuseRevokes: 'session' | 'user';
  credentialChanges: Record<CredentialChangeKind, CredentialChangePolicy>;
  eventsHeartbeatMs: number;
  jobs: { batchSize: number; lockDurationMs: number; stalledIntervalMs: number };
  sessionCache: boolean;
  /** Null when metrics are off. */
  metrics: { token: string | null; path: string } | null;
  /** Null when rate limits are off; `storage` null for the library's Redis. */
  rateLimit: { limit: number; windowSeconds: number; storage: RateLimitStorage | null } | null;
  auditRetentionDays: number;
  auditSealEveryMs: number;
  /** null: no lookup, only "Local network". */
  places: PlaceLookup | false | null;
}

function resolveRedisOption(redis: AuthSessionsOptions['redis'] | undefined): { options: RedisOptions; description: string } {
  try {
    return resolveRedisConnection(redis);
  } catch (error) {
    if (!(error instanceof RedisConnectionError)) throw error;
    throw new Error(`AuthSessionsModule: \`redis\`: ${error.message} (the same Redis as BullMQ).`, { cause: error });
  }
}

function resolveMetrics(metrics: MetricsOptions | undefined): ResolvedAuthSessionsOptions['metrics'] {
  const token = metrics?.token || null;
  if (!token && metrics?.public !== true) return null;
  const path = metrics?.path ?? '/metrics';
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(path) || path.includes('//')) {
    throw new Error(`AuthSessionsModule: \`metrics.path\` must be an absolute path such as /metrics (got "${path}").`);
  }
  return { token, path };
}

function resolveRateLimit(rateLimit: RateLimitOptions | false | undefined): ResolvedAuthSessionsOptions['rateLimit'] {
  if (rateLimit === false) return null;
  const resolved = { limit: rateLimit?.limit ?? 20, windowSeconds: rateLimit?.windowSeconds ?? 60, storage: rateLimit?.storage ?? null };
  if (!Number.isInteger(resolved.limit) || resolved.limit < 1) {
    throw new Error('AuthSessionsModule: `rateLimit.limit` must be a whole number of at least 1; pass `rateLimit: false` to turn limits off.');
  }
  if (!Number.isInteger(resolved.windowSeconds) || resolved.windowSeconds < 1) {
    throw new Error('AuthSessionsModule: `rateLimit.windowSeconds` must be a whole number of seconds, at least 1.');
  }
  return resolved;
}

/** The prune never cuts into this many most recent days (enforced by the database too). */
export const AUDIT_MIN_RETENTION_DAYS = 30;

export const DEFAULT_SESSION_LIFETIME: SessionLifetime = { idleSeconds: 1800, absoluteSeconds: 43200 };
export const DEFAULT_REMEMBER_ME_LIFETIME: SessionLifetime = { idleSeconds: 604800, absoluteSeconds: 2592000 };

/** Applies defaults and rejects options that cannot work, with a message that says how to fix them. */
export function resolveAuthSessionsOptions(options: AuthSessionsOptions): ResolvedAuthSessionsOptions {
  if (!options.users) {
    throw new Error('AuthSessionsModule: `users` is required; pass an object that implements AuthUsersProvider.');
  }
  let origin: string;
  try {
    const url = new URL(options.publicOrigin);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    origin = url.origin;
  } catch {
    throw new Error(`AuthSessionsModule: \`publicOrigin\` must be an absolute URL such as https://app.example.com (got "${options.publicOrigin}").`);
  }
  const resolved: ResolvedAuthSessionsOptions = {
    users: options.users,
    publicOrigin: origin,
    redis: { ...resolveRedisOption(options.redis), prefix: options.redis?.prefix ?? 'signoff' },
    cookieSecure: options.cookieSecure ?? false,
    session: { ...DEFAULT_SESSION_LIFETIME, ...options.session },
    rememberMe: { ...DEFAULT_REMEMBER_ME_LIFETIME, ...options.rememberMe },
    freshAgeSeconds: options.freshAgeSeconds ?? 900,
    clearSiteData: (options.clearSiteData ?? ['cache', 'cookies', 'storage']).map(String),
    logoutRedirect: options.logoutRedirect ?? '/login?logged_out=1',
    expirySweepEveryMs: options.expirySweepEveryMs ?? 60_000,
    runWorkers: options.runWorkers ?? true,
    accessTokens: { ...options.accessTokens, algorithm: options.accessTokens?.algorithm ?? 'HS256', ttlSeconds: options.accessTokens?.ttlSeconds ?? 900 },
    refreshReuseGraceSeconds: options.refreshReuseGraceSeconds ?? 10,
    refreshReuseRevokes: options.refreshReuseRevokes ?? 'session',
    credentialChanges: {
      password: { keepCurrent: true, notify: true, ...options.credentialChanges?.password },
      email: { keepCurrent: true, notify: true, ...options.credentialChanges?.email },
      security_concern: { keepCurrent: false, notify: true, ...options.credentialChanges?.security_concern },
    },
    eventsHeartbeatMs: options.eventsHeartbeatMs ?? 20_000,
    jobs: { batchSize: 1000, lockDurationMs: 30_000, stalledIntervalMs: 30_000, ...options.jobs },
    sessionCache: options.sessionCache ?? true,
    metrics: resolveMetrics(options.metrics),
    rateLimit: resolveRateLimit(options.rateLimit),
    auditRetentionDays: options.auditRetentionDays ?? 400,
    auditSealEveryMs: options.auditSealEveryMs ?? 1000,
    places: options.places ?? null,
  };
  if (!Number.isInteger(resolved.auditRetentionDays) || resolved.auditRetentionDays < AUDIT_MIN_RETENTION_DAYS) {
    throw new Error(
      `AuthSessionsModule: \`auditRetentionDays\` must be a whole number of at least ${AUDIT_MIN_RETENTION_DAYS} (the database refuses to prune more recent events).`,
    );
  }
  if (!(resolved.auditSealEveryMs >= 100)) {
    throw new Error('AuthSessionsModule: `auditSealEveryMs` must be at least 100 (milliseconds between sealer runs).');
  }
  if (!(resolved.eventsHeartbeatMs > 0 && resolved.eventsHeartbeatMs <= 25_000)) {
    throw new Error('AuthSessionsModule: `eventsHeartbeatMs` must be more than 0 and at most 25000 (the contract sends a heartbeat at least every 25 s).');
  }
  const tokens = resolved.accessTokens;
  if (!Number.isInteger(tokens.ttlSeconds) || tokens.ttlSeconds < 1 || tokens.ttlSeconds > 900) {
    throw new Error('AuthSessionsModule: `accessTokens.ttlSeconds` must be a whole number from 1 to 900 (access tokens live 15 minutes at most).');
  }
  if (tokens.algorithm === 'HS256' && tokens.secret !== undefined && tokens.secret.length < 32) {
    throw new Error('AuthSessionsModule: `accessTokens.secret` must be at least 32 characters; generate one with `openssl rand -base64 48`.');
  }
  if (tokens.algorithm !== 'HS256' && !tokens.privateKey) {
    throw new Error(`AuthSessionsModule: \`accessTokens.privateKey\` (PEM, PKCS#8) is required with ${tokens.algorithm}.`);
  }
  if (!(resolved.refreshReuseGraceSeconds >= 0)) {
    throw new Error('AuthSessionsModule: `refreshReuseGraceSeconds` must be zero or more.');
  }
  for (const [name, lifetime] of [
    ['session', resolved.session],
    ['rememberMe', resolved.rememberMe],
  ] as const) {
    if (!(lifetime.idleSeconds > 0) || !(lifetime.absoluteSeconds > 0)) {
      throw new Error(`AuthSessionsModule: \`${name}\` lifetimes must be positive numbers of seconds.`);
    }
  }
  if (!resolved.logoutRedirect.startsWith('/') || resolved.logoutRedirect.startsWith('//') || resolved.logoutRedirect.includes('\\')) {
    throw new Error('AuthSessionsModule: `logoutRedirect` must be a path on this origin, such as /login.');
  }
  return resolved;
}
