// The demo app (dist/apps/api) as the benchmarks run it: production mode, one shared origin.
import { cookieOf, demoEntry, pool, postJson, startNode } from './common.mjs';

export const ORIGIN = 'http://signoff.bench';
export const PASSWORD = 'benchmark password 1';

export function startDemo({ demoDatabaseUrl, redisUrl, prefix, jwtSecret }, { workers = true, env = {}, cpu } = {}) {
  return startNode(demoEntry, {
    name: 'demo app',
    cpu,
    env: {
      DATABASE_URL: demoDatabaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      JWT_SECRET: jwtSecret,
      PUBLIC_ORIGIN: ORIGIN,
      NODE_ENV: 'production',
      COOKIE_SECURE: 'false',
      AUTH_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      RUN_WORKERS: workers ? 'true' : 'false',
      ...env,
    },
  });
}

/** Registers a user through the API. */
export async function register(api, email) {
  const response = await postJson(`${api.url}/api/auth/register`, { email, password: PASSWORD }, { origin: ORIGIN });
  if (response.status !== 201) throw new Error(`register ${email}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.user;
}

/** Signs in through the API; returns the cookie pair and the headers a cookie request needs. */
export async function login(api, email) {
  const response = await postJson(`${api.url}/api/auth/login`, { email, password: PASSWORD }, { origin: ORIGIN });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${JSON.stringify(response.body)}`);
  const sid = cookieOf(response.cookies, 'sid');
  const xsrf = cookieOf(response.cookies, 'XSRF-TOKEN');
  return {
    sid,
    xsrf,
    sessionId: response.body.session.id,
    userId: response.body.user.id,
    read: { cookie: `sid=${sid}` },
    write: { cookie: `sid=${sid}; XSRF-TOKEN=${xsrf}`, 'x-xsrf-token': xsrf, origin: ORIGIN },
  };
}

/** `n` sessions of one user, signed in with at most 4 password checks in flight. */
export function logins(api, email, n) {
  return pool(n, 4, () => login(api, email));
}

/** GET /api/auth/me with these headers; resolves to the status. */
export async function me(api, headers) {
  const response = await fetch(`${api.url}/api/auth/me`, { headers });
  await response.arrayBuffer();
  return response.status;
}

/** POST with the session's write headers; resolves to the status. */
export async function post(api, path, headers, body = {}) {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}
