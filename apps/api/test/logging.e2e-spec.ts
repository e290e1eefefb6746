import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';

describe('logs (pino JSON, request ids)', () => {
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    api = await startApi({ env: { LOG_LEVEL: 'info' } });
    db = new TestDatabase();
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  it('should log every request as JSON with a request id, and never a cookie, token or password', async () => {
    const account = await registerAccount(api.url);
    const { browser } = await signIn(api.url, account);
    const secrets = [account.password, browser.cookie('sid')!, browser.cookie('XSRF-TOKEN')!];
    const tokens = await new BrowserClient(api.url).request('POST', '/api/auth/token', { json: { email: account.email, password: account.password } });
    secrets.push(tokens.body.access_token, tokens.body.refresh_token);
    const refreshed = await new BrowserClient(api.url).request('POST', '/api/auth/token/refresh', { json: { refresh_token: tokens.body.refresh_token } });
    secrets.push(refreshed.body.access_token, refreshed.body.refresh_token);
    const me = await browser.request('GET', '/api/auth/me', { headers: { 'x-request-id': 'trace-me-42' } });
    expect(me.headers.get('x-request-id')).toBe('trace-me-42');
    await new BrowserClient(api.url).request('GET', '/api/auth/me', { bearer: refreshed.body.access_token });
    await browser.request('POST', '/api/auth/logout');
    await new Promise((done) => setTimeout(done, 300));

    const lines = api
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    const requestLines = lines.map((line) => JSON.parse(line) as { req?: { id?: string; url?: string } }).filter((entry) => entry.req);
    expect(requestLines.length).toBeGreaterThan(5);
    expect(requestLines.every((entry) => typeof entry.req!.id === 'string' && entry.req!.id.length > 0)).toBe(true);
    expect(requestLines.some((entry) => entry.req!.id === 'trace-me-42')).toBe(true);
    const everything = api.logs();
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  // An identity provider sends its authorization code and state in the callback's query string.
  it("should log a URL's one-time secrets as redacted, and the rest of it as sent", async () => {
    await new BrowserClient(api.url).request('GET', '/api/auth/oidc/callback?code=oidc-code-7f3a9&state=oidc-state-2b8c&iss=idp', {
      headers: { 'x-request-id': 'callback-log-1' },
    });
    await new BrowserClient(api.url).request('GET', '/api/admin/audit?type=login&token=query-token-5d1e', { headers: { 'x-request-id': 'audit-log-1' } });
    await new Promise((done) => setTimeout(done, 300));
    const urls = api
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { req?: { id?: string; url?: string } })
      .filter((entry) => entry.req?.id === 'callback-log-1' || entry.req?.id === 'audit-log-1')
      .map((entry) => entry.req!.url);
    expect(urls.sort()).toEqual([
      '/api/admin/audit?type=login&token=%5Bredacted%5D',
      '/api/auth/oidc/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&iss=idp',
    ]);
    for (const secret of ['oidc-code-7f3a9', 'oidc-state-2b8c', 'query-token-5d1e']) expect(api.logs()).not.toContain(secret);
  });

  it('should log each request exactly once, /metrics included, as method, path, status and time, with no headers', async () => {
    for (const [path, id] of [
      ['/metrics', 'metrics-once-1'],
      ['/api/auth/me', 'me-once-1'],
      ['/api/admin/users', 'admin-once-1'],
    ] as const) {
      await new BrowserClient(api.url).request('GET', path, { headers: { 'x-request-id': id, cookie: 'sid=not-a-real-session' } });
    }
    await new Promise((done) => setTimeout(done, 300));
    const entries = api
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; req?: Record<string, unknown>; res?: Record<string, unknown>; responseTime?: number });
    for (const id of ['metrics-once-1', 'me-once-1', 'admin-once-1']) {
      const lines = entries.filter((entry) => entry.req?.['id'] === id);
      expect(lines).toHaveLength(1);
      expect(lines[0].msg).toBe('request completed');
      expect(Object.keys(lines[0].req!).sort()).toEqual(['id', 'method', 'remoteAddress', 'url']);
      expect(Object.keys(lines[0].res!)).toEqual(['statusCode']);
      expect(typeof lines[0].responseTime).toBe('number');
    }
    expect(api.logs()).not.toContain('not-a-real-session');
    expect(api.logs()).not.toContain('"headers"');
  });

  it('should store a user agent with control characters and forged JSON as one audit row, the controls neutralised', async () => {
    const account = await registerAccount(api.url);
    // HTTP cannot carry CR/LF inside a header; a tab is the control character that does reach the server.
    const agent = 'curl/8.0\t{"type":"logout","user":"admin"}';
    const { sessionId } = await signIn(api.url, account, { userAgent: agent });
    const rows = await db.query<{ user_agent: string }>(`SELECT user_agent FROM auth_audit_events WHERE session_id = $1 AND type = 'login'`, [sessionId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].user_agent).toBe('curl/8.0 {"type":"logout","user":"admin"}');
    const logLines = api
      .logs()
      .split('\n')
      .filter((line) => line.includes('"type\\":\\"logout'));
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
