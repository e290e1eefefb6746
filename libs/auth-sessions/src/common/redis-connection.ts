import type { RedisOptions } from 'ioredis';

/** One Redis server, by URL: `redis://[user:password@]host:port[/db]`, `rediss://…` (TLS), or a Sentinel URL (below). */
export interface RedisUrlConnection {
  /**
   * `redis://`, `rediss://`, or `redis+sentinel://[user:password@]host:port[,host:port…]/<master name>[/<db>]`
   * (`rediss+sentinel://` for TLS; `?sentinelUsername=&sentinelPassword=` when the Sentinels have their own credentials).
   */
  url: string;
}

/** A primary found through Redis Sentinel; connections follow it across failovers. */
export interface RedisSentinelConnection {
  /** Some or all of the Sentinels; more are learnt from them. */
  sentinels: Array<{ host: string; port: number }>;
  /** The master name the Sentinels monitor (`sentinel monitor <name> …`). */
  name: string;
  /** Credentials of the Redis servers (primary and replicas). */
  username?: string;
  password?: string;
  /** Credentials of the Sentinels themselves, when they have some (`requirepass` in sentinel.conf). */
  sentinelUsername?: string;
  sentinelPassword?: string;
  db?: number;
  /** TLS to the servers and to the Sentinels. @default false */
  tls?: boolean;
}

/** Where the library's Redis is: a URL (one server, or Sentinels), or Sentinels given as objects. */
export type RedisConnection = RedisUrlConnection | RedisSentinelConnection;

/** A connection checked and turned into ioredis options, with a description that is safe to log (no credentials). */
export interface ResolvedRedisConnection {
  options: RedisOptions;
  description: string;
}

/** Thrown for a Redis connection that cannot work; the message says what to write instead. */
export class RedisConnectionError extends Error {}

const SENTINEL_SCHEMES = /^(rediss?)\+sentinel:\/\//i;
const URL_EXAMPLE = 'redis://localhost:6379, or redis+sentinel://sentinel-1:26379,sentinel-2:26379/mymaster';

/**
 * Checks a Redis connection and returns ioredis options for it (for the library's own clients,
 * for BullMQ's `connection`, for anything else that should follow the same primary).
 */
export function resolveRedisConnection(connection: RedisConnection | undefined): ResolvedRedisConnection {
  if (!connection) throw new RedisConnectionError(`a Redis connection is required, e.g. ${URL_EXAMPLE}`);
  if ('url' in connection && connection.url !== undefined) return resolveUrl(connection.url);
  if ('sentinels' in connection) return resolveSentinels(connection);
  throw new RedisConnectionError(`give either \`url\` (${URL_EXAMPLE}) or \`sentinels\` and \`name\``);
}

/** ioredis options for a Redis URL of any supported form (see RedisUrlConnection). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  return resolveUrl(url).options;
}

function resolveUrl(url: string): ResolvedRedisConnection {
  if (typeof url !== 'string' || url === '') throw new RedisConnectionError(`a Redis URL is required, e.g. ${URL_EXAMPLE}`);
  if (SENTINEL_SCHEMES.test(url)) return resolveSentinels(parseSentinelUrl(url));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisConnectionError(`"${redact(url)}" is not a Redis URL; expected ${URL_EXAMPLE}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisConnectionError(`unsupported Redis URL scheme "${parsed.protocol}"; expected redis://, rediss:// or redis+sentinel://`);
  }
  if (!parsed.hostname) throw new RedisConnectionError(`the Redis URL "${redact(url)}" has no host`);
  const port = parsed.port ? Number(parsed.port) : 6379;
  const db = parseDb(parsed.pathname.slice(1), url);
  return {
    options: {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
      ...(db > 0 ? { db } : {}),
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    description: `${parsed.hostname}:${port}${db > 0 ? `/${db}` : ''}`,
  };
}

/** `redis+sentinel://[user:password@]host:port[,host:port…]/<name>[/<db>][?sentinelUsername=…&sentinelPassword=…]` */
function parseSentinelUrl(url: string): RedisSentinelConnection {
  const scheme = SENTINEL_SCHEMES.exec(url)![1].toLowerCase();
  let rest = url.slice(url.indexOf('://') + 3);
  let query = '';
  const queryAt = rest.indexOf('?');
  if (queryAt !== -1) {
    query = rest.slice(queryAt + 1);
    rest = rest.slice(0, queryAt);
  }
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path =
    slash === -1
      ? []
      : rest
          .slice(slash + 1)
          .split('/')
          .filter((segment) => segment !== '');
  const at = authority.lastIndexOf('@');
  const userInfo = at === -1 ? '' : authority.slice(0, at);
  const hosts = at === -1 ? authority : authority.slice(at + 1);
  const sentinels = hosts.split(',').map((entry) => parseHostPort(entry.trim(), url));
  if (path.length === 0 || path.length > 2) {
    throw new RedisConnectionError(`the Sentinel URL "${redact(url)}" must end in /<master name> or /<master name>/<db>`);
  }
  const params = new URLSearchParams(query);
  for (const key of params.keys()) {
    if (key !== 'sentinelUsername' && key !== 'sentinelPassword') {
      throw new RedisConnectionError(`unknown parameter "${key}" in the Sentinel URL; known: sentinelUsername, sentinelPassword`);
    }
  }
  const colon = userInfo.indexOf(':');
  const username = decodeURIComponent(colon === -1 ? userInfo : userInfo.slice(0, colon));
  const password = colon === -1 ? '' : decodeURIComponent(userInfo.slice(colon + 1));
  return {
    sentinels,
    name: decodeURIComponent(path[0]),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(params.get('sentinelUsername') ? { sentinelUsername: params.get('sentinelUsername')! } : {}),
    ...(params.get('sentinelPassword') ? { sentinelPassword: params.get('sentinelPassword')! } : {}),
    ...(path[1] !== undefined ? { db: parseDb(path[1], url) } : {}),
    ...(scheme === 'rediss' ? { tls: true } : {}),
  };
}

function parseHostPort(entry: string, url: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(entry);
  if (!match) throw new RedisConnectionError(`"${entry}" in the Sentinel URL "${redact(url)}" is not host:port`);
  const port = match[3] === undefined ? 26379 : Number(match[3]);
  if (!(port > 0 && port < 65536)) throw new RedisConnectionError(`port ${match[3]} in the Sentinel URL "${redact(url)}" is out of range`);
  return { host: match[1] ?? match[2], port };
}

function parseDb(text: string, url: string): number {
  if (text === '') return 0;
  const db = Number(text);
  if (!Number.isInteger(db) || db < 0) throw new RedisConnectionError(`"${text}" in the Redis URL "${redact(url)}" is not a database number`);
  return db;
}

function resolveSentinels(connection: RedisSentinelConnection): ResolvedRedisConnection {
  const { sentinels, name } = connection;
  if (!Array.isArray(sentinels) || sentinels.length === 0) {
    throw new RedisConnectionError('`sentinels` must list at least one Sentinel as { host, port }');
  }
  for (const sentinel of sentinels) {
    if (
      !sentinel ||
      typeof sentinel.host !== 'string' ||
      sentinel.host === '' ||
      !Number.isInteger(sentinel.port) ||
      sentinel.port < 1 ||
      sentinel.port > 65535
    ) {
      throw new RedisConnectionError(`every Sentinel needs a host and a port from 1 to 65535 (got ${JSON.stringify(sentinel)})`);
    }
  }
  if (typeof name !== 'string' || name === '') {
    throw new RedisConnectionError('`name` is required with `sentinels`: the master name the Sentinels monitor (`sentinel monitor <name> …`)');
  }
  if (connection.db !== undefined && !(Number.isInteger(connection.db) && connection.db >= 0)) {
    throw new RedisConnectionError('`db` must be a whole number of 0 or more');
  }
  const options: RedisOptions = {
    sentinels: sentinels.map(({ host, port }) => ({ host, port })),
    name,
    // Ask the Sentinels again at once after a failed attempt, and do not give up while none answers.
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // Not `failoverDetector`: in ioredis 5.11 a +switch-master that arrives while the client waits
    // between two rounds of Sentinels ends the client for good (status "end", no more reconnects).
    // Without it the client finds the new primary on its next reconnect, within retryStrategy's 2 s.
    ...(connection.username ? { username: connection.username } : {}),
    ...(connection.password ? { password: connection.password } : {}),
    ...(connection.sentinelUsername ? { sentinelUsername: connection.sentinelUsername } : {}),
    ...(connection.sentinelPassword ? { sentinelPassword: connection.sentinelPassword } : {}),
    ...(connection.db ? { db: connection.db } : {}),
    ...(connection.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
  };
  return { options, description: `Sentinel master "${name}" via ${sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}` };
}

/** The URL with any password replaced, for error messages. */
function redact(url: string): string {
  return url
    .replace(/\/\/([^@/]*)@/, (_match, userInfo: string) => `//${userInfo.includes(':') ? `${userInfo.split(':')[0]}:***` : userInfo}@`)
    .replace(/(sentinelPassword=)[^&]*/g, '$1***');
}
