import { randomBytes } from 'node:crypto';
import { type ApiProcess, type HttpAdapterName, startApi } from '../../../test-support/api-process.js';
import { type ApiResponse, BrowserClient } from '../../../test-support/http-client.js';
import { adminAccount, adminEnv } from './support/admin.js';
import { PASSWORD } from './support/accounts.js';

/** The headers the contract fixes; every other header may differ between the platforms. */
const CONTRACT_HEADERS = ['cache-control', 'clear-site-data', 'allow', 'location', 'content-type', 'retry-after', 'www-authenticate'];

/** What one request got, with every value that differs by nature (ids, secrets, times, ports) replaced by a placeholder. */
interface Exchange {
  step: string;
  status: number;
  headers: Record<string, string | null>;
  setCookies: string[];
  body: string;
}

/**
 * Replaces per-run values in a text by placeholders numbered in order of first appearance, so two
 * runs of the same script on two platforms compare byte for byte everywhere else.
 */
class Normaliser {
  private readonly seen = new Map<string, string>();
  private readonly literals: Array<[string, string]> = [];

  /** Replaces `value` (an email, a port) wherever it appears by `placeholder`. */
  literal(value: string, placeholder: string): void {
    this.literals.push([value, placeholder]);
  }

  apply(text: string): string {
    let result = text;
    for (const [value, placeholder] of this.literals) result = result.split(value).join(placeholder);
    return (
      result
        .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, (jwt) => this.numbered('jwt', jwt))
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => this.numbered('uuid', id))
        .replace(/[A-Za-z0-9_-]{32,}/g, (secret) => this.numbered('secret', secret))
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<iso-date>')
        .replace(/Expires=[^;]+/g, 'Expires=<http-date>')
        // A rememberMe cookie's Max-Age counts down by the second; 0 (a cleared cookie) stays as is.
        .replace(/Max-Age=[1-9]\d*/g, 'Max-Age=<positive>')
    );
  }

  private numbered(kind: string, value: string): string {
    let placeholder = this.seen.get(value);
    if (!placeholder) {
      placeholder = `<${kind}:${[...this.seen.values()].filter((known) => known.startsWith(`<${kind}:`)).length + 1}>`;
      this.seen.set(value, placeholder);
    }
    return placeholder;
  }
}

/**
 * The core contract as one script of requests: the same script runs against an Express and a
 * Fastify instance (one database), and every answer must be the same, byte for byte once per-run
 * values are replaced: statuses, the contract's headers, every Set-Cookie line and the raw body.
 */
async function runContractScript(api: ApiProcess, admin: { email: string; password: string }): Promise<Exchange[]> {
  const normaliser = new Normaliser();
  const tag = `${api.httpAdapter}-${randomBytes(3).toString('hex')}`;
  const email = `parity-${tag}@example.com`;
  normaliser.literal(email, '<email>');
  normaliser.literal(admin.email, '<admin-email>');
  normaliser.literal(api.url, '<origin>');
  const exchanges: Exchange[] = [];
  /**
   * @param options.bodyShape compare only `statusCode` and that `message` is text: for the answers the contract
   *   fixes only as "a 4xx with a clear message" and that Nest's two adapters word differently
   */
  const record = (step: string, response: ApiResponse, options: { bodyShape?: boolean } = {}): ApiResponse => {
    const headers = Object.fromEntries(CONTRACT_HEADERS.map((name) => [name, response.headers.get(name)]));
    const body = options.bodyShape
      ? JSON.stringify({ statusCode: response.body?.statusCode, messageIsText: typeof response.body?.message === 'string' })
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
    exchanges.push({
      step,
      status: response.status,
      headers: JSON.parse(normaliser.apply(JSON.stringify(headers))) as Record<string, string | null>,
      setCookies: response.setCookies.map((line) => normaliser.apply(line)),
      body: normaliser.apply(body),
    });
    return response;
  };

  const anonymous = new BrowserClient(api.url);
  const browser = new BrowserClient(api.url);
  record('register', await anonymous.post('/api/auth/register', { json: { email, password: PASSWORD } }));
  record('register again (409)', await anonymous.post('/api/auth/register', { json: { email, password: PASSWORD } }));
  record('register, bad body (400)', await anonymous.post('/api/auth/register', { json: { email: 'not-an-email', password: 'short' } }));
  // Body parsing belongs to the platform: Express's body-parser and Fastify's JSON parser word it differently.
  record('login, malformed JSON (400)', await anonymous.post('/api/auth/login', { body: '{"email":', headers: { 'content-type': 'application/json' } }), {
    bodyShape: true,
  });
  record('login, wrong password (401)', await anonymous.post('/api/auth/login', { json: { email, password: 'wrong password!' } }));
  record(
    'login from a foreign Origin (403)',
    await anonymous.post('/api/auth/login', { json: { email, password: PASSWORD }, headers: { origin: 'https://evil.example' } }),
  );
  record('login', await browser.post('/api/auth/login', { json: { email, password: PASSWORD } }));
  record('me (cookie)', await browser.get('/api/auth/me'));
  record('me, anonymous (401)', await anonymous.get('/api/auth/me'));
  record('me, garbage cookie (401)', await new BrowserClient(api.url).get('/api/auth/me', { headers: { cookie: 'sid=garbage' } }));
  record('sessions', await browser.get('/api/auth/sessions'));
  record('logout by GET (405)', await browser.get('/api/auth/logout'));
  record('logout without XSRF (403)', await browser.post('/api/auth/logout', { xsrf: false }));
  record('logout from a foreign Origin (403)', await browser.post('/api/auth/logout', { headers: { origin: 'https://evil.example' } }));
  record(
    'CORS preflight from another origin',
    await anonymous.request('OPTIONS', '/api/auth/logout', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    }),
  );
  const oldCookie = browser.cookie('sid')!;
  record('logout', await browser.post('/api/auth/logout', { json: { returnTo: '/devices?tab=history' } }));
  record('me, logged-out cookie (401 session_ended)', await new BrowserClient(api.url).get('/api/auth/me', { headers: { cookie: `sid=${oldCookie}` } }));
  record('logout again, stale cookie (200)', await new BrowserClient(api.url).post('/api/auth/logout', { headers: { cookie: `sid=${oldCookie}` } }));

  const remembered = new BrowserClient(api.url);
  record('login with rememberMe', await remembered.post('/api/auth/login', { json: { email, password: PASSWORD, rememberMe: true } }));
  record(
    'logout by HTML form (303)',
    await remembered.post('/api/auth/logout', {
      form: { _csrf: remembered.cookie('XSRF-TOKEN')!, returnTo: '/login' },
      headers: { accept: 'text/html,application/xhtml+xml' },
      xsrf: false,
    }),
  );

  const second = new BrowserClient(api.url);
  record('login, second device', await second.post('/api/auth/login', { json: { email, password: PASSWORD } }));
  record('logout-all', await second.post('/api/auth/logout-all', { json: {} }));

  const tokens = record('token', await anonymous.post('/api/auth/token', { json: { email, password: PASSWORD } })).body as {
    access_token: string;
    refresh_token: string;
  };
  record('me (bearer)', await anonymous.get('/api/auth/me', { bearer: tokens.access_token }));
  record('me, bad bearer (401)', await anonymous.get('/api/auth/me', { bearer: 'not.a.jwt' }));
  const refreshed = record('token/refresh', await anonymous.post('/api/auth/token/refresh', { json: { refresh_token: tokens.refresh_token } })).body as {
    access_token: string;
    refresh_token: string;
  };
  record('token/revoke', await anonymous.post('/api/auth/token/revoke', { json: { refresh_token: refreshed.refresh_token } }));
  record('me, revoked bearer (401)', await anonymous.get('/api/auth/me', { bearer: refreshed.access_token }));

  const user = new BrowserClient(api.url);
  const userLogin = record('login, for the admin to revoke', await user.post('/api/auth/login', { json: { email, password: PASSWORD } })).body as {
    user: { id: string };
    session: { id: string };
  };
  const adminBrowser = new BrowserClient(api.url);
  record('admin login', await adminBrowser.post('/api/auth/login', { json: { email: admin.email, password: admin.password } }));
  record('admin: user sessions', await adminBrowser.get(`/api/admin/users/${userLogin.user.id}/sessions`));
  record('admin: non-admin (403)', await user.get(`/api/admin/users/${userLogin.user.id}/sessions`));
  record(
    'admin: revoke one session (204)',
    await adminBrowser.delete(`/api/admin/users/${userLogin.user.id}/sessions/${userLogin.session.id}`, { json: { note: 'parity' } }),
  );
  record('me, revoked by admin (401)', await user.get('/api/auth/me'));
  record('admin: malformed id (400)', await adminBrowser.get('/api/admin/users/not-a-uuid/sessions'));
  record('unknown route (404)', await anonymous.get('/api/nothing-here'));
  return exchanges;
}

describe('Express and Fastify give the same answers (demo app, one database)', () => {
  let instances: Record<HttpAdapterName, ApiProcess>;
  const admin = adminAccount();

  beforeAll(async () => {
    const env = adminEnv(admin);
    const [express, fastify] = await Promise.all([startApi({ httpAdapter: 'express', env }), startApi({ httpAdapter: 'fastify', env })]);
    instances = { express, fastify };
  });

  afterAll(async () => {
    await Promise.all(Object.values(instances ?? {}).map((api) => api.stop()));
  });

  it('should answer the whole contract script with the same statuses, contract headers, Set-Cookie lines and bodies', async () => {
    const express = await runContractScript(instances.express, admin);
    const fastify = await runContractScript(instances.fastify, admin);

    expect(fastify).toEqual(express);
    // The script really exercised the contract (a broken script would compare two sets of errors).
    const status = (step: string) => express.find((exchange) => exchange.step === step)?.status;
    expect([status('login'), status('logout'), status('logout by GET (405)'), status('logout by HTML form (303)')]).toEqual([200, 200, 405, 303]);
    expect([status('admin login'), status('me (bearer)'), status('me, revoked by admin (401)'), status('admin: revoke one session (204)')]).toEqual([
      200, 200, 401, 204,
    ]);
    expect(express.find((exchange) => exchange.step === 'me, revoked by admin (401)')?.body).toContain('"reason":"revoked_by_admin"');
  });

  it('should really run the second instance on Fastify', async () => {
    // Express answers JSON with an ETag of its own; Fastify does not add one.
    const [onExpress, onFastify] = await Promise.all(
      [instances.express, instances.fastify].map((api) =>
        new BrowserClient(api.url).post('/api/auth/login', { json: { email: 'x@example.com', password: 'wrong password!' } }),
      ),
    );

    expect(onExpress.headers.get('etag')).not.toBeNull();
    expect(onFastify.headers.get('etag')).toBeNull();
  });
});
