import { Logger } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import {
  type RedisConnection,
  RedisConnectionError,
  type RedisSentinelConnection,
  type RedisUrlConnection,
  resolveRedisConnection,
} from './common/redis-connection.js';
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
  /**
   * Sign-in attempts per account, whatever the IP (the library's `login` and `token` routes): what
   * stops a password being guessed from many addresses. Attempts from a client IP (an IPv6 /64) that
   * has an open session of the account, or one ended within `familiarDays`, are not counted against `limit`, so an
   * attacker elsewhere cannot lock the owner out of the places they use; their wrong passwords count
   * against `familiarLimit` instead. `false` turns it off.
   * @default { limit: 25, windowSeconds: 900, familiarDays: 30, familiarLimit: 50 } (100 attempts an hour at most from elsewhere, ASVS 4.0 2.2.1)
   */
  account?: AccountRateLimitOptions | false;
}

/** The per-account sign-in limit (`rateLimit.account`). */
export interface AccountRateLimitOptions {
  /** Sign-in attempts allowed per window for one account from unfamiliar IPs, together. @default 25 */
  limit?: number;
  /** The window, in seconds; an account over the limit is refused to unfamiliar IPs for as long. @default 900 */
  windowSeconds?: number;
  /** An IP (an IPv6 /64) is familiar while the account has an open session from it, or one ended within this many days. 0: none is. @default 30 */
  familiarDays?: number;
  /**
   * Wrong passwords allowed per window for one account from its familiar IPs, together (someone on
   * the owner's own network or NAT guessing). Past it those IPs are refused too for `windowSeconds`
   * from the failure that used it up: the one lockout an attacker can cause, and only from inside a place the owner uses.
   * Only failures count, so the owner signing in often is never refused. `false`: familiar IPs are
   * limited per IP only. @default 50
   */
  familiarLimit?: number | false;
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
  /** BullMQ tuning of the library's worker: sessions per clean-up (and retention prune) batch, and stalled-job recovery. */
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
   * Days an ended session's row (with its refresh tokens) is kept after it ended; a daily prune deletes
   * older ones, and the outbox entries relayed to BullMQ more than 7 days ago. At least 31 (the device
   * list and the admin overview show 30 days of ended sessions) and more than `rateLimit.account.familiarDays`
   * (a recent sign-out marks a familiar place). `false`: the library deletes none of them (prune them
   * yourself, see docs/host-guide.md). The audit log keeps its own retention, `auditRetentionDays`.
   * @default 90
   */
  sessionRetentionDays?: number | false;
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
  rateLimit: {
    limit: number;
    windowSeconds: number;
    storage: RateLimitStorage | null;
    /** `familiarLimit` null when familiar IPs are limited per IP only. */
    account: { limit: number; windowSeconds: number; familiarDays: number; familiarLimit: number | null } | null;
  } | null;
  auditRetentionDays: number;
  auditSealEveryMs: number;
  /** Null: the library prunes no ended sessions (`sessionRetentionDays: false`). */
  sessionRetentionDays: number | null;
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
  const resolved = {
    limit: rateLimit?.limit ?? 20,
    windowSeconds: rateLimit?.windowSeconds ?? 60,
    storage: rateLimit?.storage ?? null,
    account: resolveAccountRateLimit(rateLimit?.account),
  };
  if (!Number.isInteger(resolved.limit) || resolved.limit < 1) {
    throw new Error('AuthSessionsModule: `rateLimit.limit` must be a whole number of at least 1; pass `rateLimit: false` to turn limits off.');
  }
  if (!Number.isInteger(resolved.windowSeconds) || resolved.windowSeconds < 1) {
    throw new Error('AuthSessionsModule: `rateLimit.windowSeconds` must be a whole number of seconds, at least 1.');
  }
  return resolved;
}

function resolveAccountRateLimit(account: AccountRateLimitOptions | false | undefined): NonNullable<ResolvedAuthSessionsOptions['rateLimit']>['account'] {
  if (account === false) return null;
  const familiarLimit = account?.familiarLimit === false ? null : (account?.familiarLimit ?? 50);
  const resolved = { limit: account?.limit ?? 25, windowSeconds: account?.windowSeconds ?? 900, familiarDays: account?.familiarDays ?? 30, familiarLimit };
  if (!Number.isInteger(resolved.limit) || resolved.limit < 1) {
    throw new Error('AuthSessionsModule: `rateLimit.account.limit` must be a whole number of at least 1; pass `rateLimit.account: false` to turn it off.');
  }
  if (!Number.isInteger(resolved.windowSeconds) || resolved.windowSeconds < 1) {
    throw new Error('AuthSessionsModule: `rateLimit.account.windowSeconds` must be a whole number of seconds, at least 1.');
  }
  if (!Number.isInteger(resolved.familiarDays) || resolved.familiarDays < 0 || resolved.familiarDays > 400) {
    throw new Error('AuthSessionsModule: `rateLimit.account.familiarDays` must be a whole number of days from 0 to 400.');
  }
  if (familiarLimit !== null && (!Number.isInteger(familiarLimit) || familiarLimit < 1)) {
    throw new Error('AuthSessionsModule: `rateLimit.account.familiarLimit` must be a whole number of at least 1, or false.');
  }
  return resolved;
}

/** Days an ended session is kept by default. */
export const DEFAULT_SESSION_RETENTION_DAYS = 90;
/** The fewest days an ended session may be kept: the device list and the admin overview show the last 30. */
export const SESSION_MIN_RETENTION_DAYS = 31;
/** The most days a retention may be (100 years): `sessionRetentionDays: false` keeps ended sessions for ever. */
export const MAX_RETENTION_DAYS = 36_525;

// Its range is checked with the other numbers (checkShape); here, against the account limit it serves.
function checkSessionRetention(resolved: ResolvedAuthSessionsOptions): void {
  const days = resolved.sessionRetentionDays;
  if (days === null) return;
  const familiarDays = resolved.rateLimit?.account?.familiarDays;
  if (familiarDays !== undefined && days <= familiarDays) {
    throw new Error(
      `AuthSessionsModule: \`sessionRetentionDays\` (${days}) must be more than \`rateLimit.account.familiarDays\` (${familiarDays}): a session ended within those days marks a familiar place, so its row must still be there.`,
    );
  }
}

/** The prune never cuts into this many most recent days (enforced by the database too). */
export const AUDIT_MIN_RETENTION_DAYS = 30;

export const DEFAULT_SESSION_LIFETIME: SessionLifetime = { idleSeconds: 1800, absoluteSeconds: 43200 };
export const DEFAULT_REMEMBER_ME_LIFETIME: SessionLifetime = { idleSeconds: 604800, absoluteSeconds: 2592000 };

/**
 * Every option and nested option by name, so that a key the library does not know (a typo, an option
 * of an older version) stops the app instead of being ignored. The types make the compiler keep these
 * lists and `AuthSessionsOptions` the same.
 */
const OPTION_KEYS: Record<keyof AuthSessionsOptions, true> = {
  users: true,
  publicOrigin: true,
  redis: true,
  cookieSecure: true,
  session: true,
  rememberMe: true,
  freshAgeSeconds: true,
  clearSiteData: true,
  logoutRedirect: true,
  expirySweepEveryMs: true,
  runWorkers: true,
  accessTokens: true,
  refreshReuseGraceSeconds: true,
  refreshReuseRevokes: true,
  credentialChanges: true,
  eventsHeartbeatMs: true,
  jobs: true,
  sessionCache: true,
  metrics: true,
  rateLimit: true,
  auditRetentionDays: true,
  auditSealEveryMs: true,
  sessionRetentionDays: true,
  places: true,
  oidc: true,
};
const LIFETIME_KEYS: Record<keyof SessionLifetime, true> = { idleSeconds: true, absoluteSeconds: true };
const ACCESS_TOKEN_KEYS: Record<keyof AccessTokenOptions, true> = {
  secret: true,
  algorithm: true,
  privateKey: true,
  keyId: true,
  publicKeys: true,
  ttlSeconds: true,
};
const CREDENTIAL_CHANGE_KEYS: Record<CredentialChangeKind, true> = { password: true, email: true, security_concern: true };
const CREDENTIAL_POLICY_KEYS: Record<keyof CredentialChangePolicy, true> = { keepCurrent: true, notify: true };
const JOBS_KEYS: Record<keyof NonNullable<AuthSessionsOptions['jobs']>, true> = { batchSize: true, lockDurationMs: true, stalledIntervalMs: true };
const METRICS_KEYS: Record<keyof MetricsOptions, true> = { token: true, public: true, path: true };
const RATE_LIMIT_KEYS: Record<keyof RateLimitOptions, true> = { limit: true, windowSeconds: true, storage: true, account: true };
const ACCOUNT_RATE_LIMIT_KEYS: Record<keyof AccountRateLimitOptions, true> = { limit: true, windowSeconds: true, familiarDays: true, familiarLimit: true };
const REDIS_KEYS: Record<keyof RedisUrlConnection | keyof RedisSentinelConnection | 'prefix', true> = {
  url: true,
  sentinels: true,
  name: true,
  username: true,
  password: true,
  sentinelUsername: true,
  sentinelPassword: true,
  db: true,
  tls: true,
  prefix: true,
};
const OIDC_KEYS: Record<keyof OidcOptions, true> = { issuer: true, clientId: true, clientSecret: true, scopes: true, rpLogout: true };

/** Options that moved, by their old path: what to write instead. */
const MOVED_OPTIONS: Record<string, string> = {
  metricsToken: '`metrics: { token }` (renamed after 0.1; without it metrics are off, see "Upgrading" in docs/host-guide.md of the Signoff repository)',
  // Module extras are read from the forRootAsync call, not from what useFactory returns.
  isGlobal: '`isGlobal` next to `useFactory` (it is a module extra, not an option)',
  globalGuard: '`globalGuard` next to `useFactory` (it is a module extra, not an option)',
  routes: '`routes` next to `useFactory` (it is a module extra, not an option)',
};

/** The `Clear-Site-Data` directives `clearSiteData` may list. */
const CLEAR_SITE_DATA_DIRECTIVES: ReadonlyArray<NonNullable<AuthSessionsOptions['clearSiteData']>[number]> = [
  'cache',
  'cookies',
  'storage',
  'executionContexts',
  '*',
];

/** Every method of AuthUsersProvider the library calls (`provisionSsoUser` is checked with `oidc`). */
const USERS_PROVIDER_METHODS: Array<keyof AuthUsersProvider> = ['findById', 'findByEmail', 'verifyPassword', 'changePassword', 'changeEmail', 'search'];

function fail(message: string): never {
  throw new Error(`AuthSessionsModule: ${message}`);
}

/** How a wrong value reads in an error: strings quoted, so that `"1800"` is told apart from `1800`. */
function shown(value: unknown): string {
  if (typeof value === 'string') return `the string "${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Rejects keys of `value` that are not in `known`, naming where they were found. */
function checkKeys(path: string, value: unknown, known: Record<string, true>): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`\`${path}\` must be an object (got ${shown(value)}).`);
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(known, key)) continue;
    const name = path === '' ? key : `${path}.${key}`;
    const moved = MOVED_OPTIONS[name];
    if (moved) fail(`\`${name}\` is not an option here; use ${moved}.`);
    fail(
      `unknown option \`${name}\`; the options${path === '' ? '' : ` of \`${path}\``} are ${Object.keys(known).join(', ')} (see docs/configuration.md in the Signoff repository).`,
    );
  }
}

/** Rejects anything but a whole number from `min` to `max` (a string of digits included). */
function checkWholeNumber(name: string, value: unknown, unit: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    fail(`\`${name}\` must be a whole number of ${unit}, ${range} (got ${shown(value)}).`);
  }
}

function checkBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(`\`${name}\` must be true or false (got ${shown(value)}).`);
}

function checkString(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') fail(`\`${name}\` must be a string (got ${shown(value)}).`);
}

function checkOneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    fail(`\`${name}\` must be one of ${allowed.map((entry) => `'${entry}'`).join(', ')} (got ${shown(value)}).`);
  }
}

function hasMethod(value: unknown, method: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function';
}

function checkUsers(users: unknown): void {
  if (!users) fail('`users` is required; pass an object that implements AuthUsersProvider.');
  const missing = USERS_PROVIDER_METHODS.filter((method) => !hasMethod(users, method));
  if (missing.length > 0) {
    fail(`\`users\` must implement AuthUsersProvider; it has no ${missing.map((method) => `${method}()`).join(', ')}. The library calls every one of them.`);
  }
  const provision = (users as Record<string, unknown>)['provisionSsoUser'];
  if (provision !== undefined && typeof provision !== 'function') fail(`\`users.provisionSsoUser\` must be a method (got ${shown(provision)}).`);
}

/**
 * Checks what the types say before defaults are applied: options come from configuration files
 * and environment variables at run time, where `"1800"` or a misspelt key gets past the compiler.
 */
function checkShape(options: AuthSessionsOptions): void {
  checkKeys('', options, OPTION_KEYS);
  checkUsers(options.users);
  checkKeys('redis', options.redis, REDIS_KEYS);
  checkString('redis.prefix', options.redis?.prefix);
  checkBoolean('cookieSecure', options.cookieSecure);
  for (const name of ['session', 'rememberMe'] as const) {
    checkKeys(name, options[name], LIFETIME_KEYS);
    checkWholeNumber(`${name}.idleSeconds`, options[name]?.idleSeconds, 'seconds', 1);
    checkWholeNumber(`${name}.absoluteSeconds`, options[name]?.absoluteSeconds, 'seconds', 1);
  }
  checkWholeNumber('freshAgeSeconds', options.freshAgeSeconds, 'seconds', 1);
  if (options.clearSiteData !== undefined) {
    if (!Array.isArray(options.clearSiteData)) fail(`\`clearSiteData\` must be an array (got ${shown(options.clearSiteData)}); [] sends none.`);
    for (const directive of options.clearSiteData) checkOneOf('clearSiteData[]', directive, CLEAR_SITE_DATA_DIRECTIVES);
  }
  checkString('logoutRedirect', options.logoutRedirect);
  checkWholeNumber('expirySweepEveryMs', options.expirySweepEveryMs, 'milliseconds', 100);
  checkBoolean('runWorkers', options.runWorkers);
  checkKeys('accessTokens', options.accessTokens, ACCESS_TOKEN_KEYS);
  checkOneOf('accessTokens.algorithm', options.accessTokens?.algorithm, ['HS256', 'EdDSA', 'ES256']);
  for (const key of ['secret', 'privateKey', 'keyId'] as const) checkString(`accessTokens.${key}`, options.accessTokens?.[key]);
  for (const [kid, key] of Object.entries(options.accessTokens?.publicKeys ?? {})) checkString(`accessTokens.publicKeys.${kid}`, key);
  checkWholeNumber('accessTokens.ttlSeconds', options.accessTokens?.ttlSeconds, 'seconds (access tokens live 15 minutes at most)', 1, 900);
  checkWholeNumber('refreshReuseGraceSeconds', options.refreshReuseGraceSeconds, 'seconds', 0);
  checkOneOf('refreshReuseRevokes', options.refreshReuseRevokes, ['session', 'user']);
  checkKeys('credentialChanges', options.credentialChanges, CREDENTIAL_CHANGE_KEYS);
  for (const kind of Object.keys(CREDENTIAL_CHANGE_KEYS) as CredentialChangeKind[]) {
    const policy = options.credentialChanges?.[kind];
    checkKeys(`credentialChanges.${kind}`, policy, CREDENTIAL_POLICY_KEYS);
    checkBoolean(`credentialChanges.${kind}.keepCurrent`, policy?.keepCurrent);
    checkBoolean(`credentialChanges.${kind}.notify`, policy?.notify);
  }
  checkWholeNumber('eventsHeartbeatMs', options.eventsHeartbeatMs, 'milliseconds (the contract sends a heartbeat at least every 25 s)', 1, 25_000);
  checkKeys('jobs', options.jobs, JOBS_KEYS);
  checkWholeNumber('jobs.batchSize', options.jobs?.batchSize, 'sessions', 1);
  checkWholeNumber('jobs.lockDurationMs', options.jobs?.lockDurationMs, 'milliseconds', 500);
  checkWholeNumber('jobs.stalledIntervalMs', options.jobs?.stalledIntervalMs, 'milliseconds', 500);
  checkBoolean('sessionCache', options.sessionCache);
  checkKeys('metrics', options.metrics, METRICS_KEYS);
  checkString('metrics.token', options.metrics?.token);
  checkBoolean('metrics.public', options.metrics?.public);
  checkString('metrics.path', options.metrics?.path);
  if (options.rateLimit !== false) {
    checkKeys('rateLimit', options.rateLimit, RATE_LIMIT_KEYS);
    const storage: unknown = options.rateLimit?.storage;
    if (storage !== undefined && !hasMethod(storage, 'increment')) {
      fail(`\`rateLimit.storage\` must have an increment() method, as a @nestjs/throttler ThrottlerStorage has (got ${shown(storage)}).`);
    }
    const account = options.rateLimit?.account;
    if (account !== false) {
      checkKeys('rateLimit.account', account, ACCOUNT_RATE_LIMIT_KEYS);
      checkWholeNumber('rateLimit.account.limit', account?.limit, 'attempts', 1);
      checkWholeNumber('rateLimit.account.windowSeconds', account?.windowSeconds, 'seconds', 1);
      checkWholeNumber('rateLimit.account.familiarDays', account?.familiarDays, 'days', 0, 400);
      if (account?.familiarLimit !== false) checkWholeNumber('rateLimit.account.familiarLimit', account?.familiarLimit, 'wrong passwords', 1);
    }
  }
  checkWholeNumber(
    'auditRetentionDays',
    options.auditRetentionDays,
    'days (the database refuses to prune more recent events)',
    AUDIT_MIN_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
  );
  checkWholeNumber('auditSealEveryMs', options.auditSealEveryMs, 'milliseconds', 100);
  if (options.sessionRetentionDays !== false) {
    checkWholeNumber(
      'sessionRetentionDays',
      options.sessionRetentionDays,
      'days (the device list and the admin overview show 30 days of ended sessions; false keeps them all)',
      SESSION_MIN_RETENTION_DAYS,
      // Past this the cut-off falls before PostgreSQL's earliest timestamp, and every prune would fail.
      MAX_RETENTION_DAYS,
    );
  }
  const places: unknown = options.places;
  if (places !== undefined && places !== false && !hasMethod(places, 'lookup')) {
    fail(`\`places\` must be a PlaceLookup (an object with lookup(ip)) or false (got ${shown(places)}).`);
  }
  checkKeys('oidc', options.oidc, OIDC_KEYS);
}

/** Applies defaults and rejects options that cannot work, with a message that says how to fix them. */
export function resolveAuthSessionsOptions(options: AuthSessionsOptions): ResolvedAuthSessionsOptions {
  checkShape(options);
  if (options.publicOrigin === undefined || options.publicOrigin === null) {
    fail('`publicOrigin` is required: the origin your users browse to, such as https://app.example.com (Origin checks and redirects use it).');
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
    sessionRetentionDays: options.sessionRetentionDays === false ? null : (options.sessionRetentionDays ?? DEFAULT_SESSION_RETENTION_DAYS),
    places: options.places ?? null,
  };
  checkSessionRetention(resolved);
  const tokens = resolved.accessTokens;
  if (tokens.algorithm === 'HS256' && tokens.secret !== undefined && tokens.secret.length < 32) {
    throw new Error('AuthSessionsModule: `accessTokens.secret` must be at least 32 characters; generate one with `openssl rand -base64 48`.');
  }
  if (tokens.algorithm !== 'HS256' && !tokens.privateKey) {
    throw new Error(`AuthSessionsModule: \`accessTokens.privateKey\` (PEM, PKCS#8) is required with ${tokens.algorithm}.`);
  }
  if (!resolved.logoutRedirect.startsWith('/') || resolved.logoutRedirect.startsWith('//') || resolved.logoutRedirect.includes('\\')) {
    throw new Error('AuthSessionsModule: `logoutRedirect` must be a path on this origin, such as /login.');
  }
  if (origin.startsWith('https:') && options.cookieSecure !== true) {
    // Not an error (the default stays false, and a host may have its reasons), but said at every start
    // even when false is explicit: a host that derives it from an unset variable passes an explicit false.
    new Logger('AuthSessions').warn(
      `\`publicOrigin\` is ${origin} but \`cookieSecure\` is ${options.cookieSecure === undefined ? 'not set' : 'false'}, so the session ` +
        'cookie is sent without Secure and without the __Host- prefix: a plain-http request to this host (the first hop of a redirect ' +
        'to HTTPS) carries it in clear. Set cookieSecure: true for a site served over HTTPS.',
    );
  }
  return resolved;
}
