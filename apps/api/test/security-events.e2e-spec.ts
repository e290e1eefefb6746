import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { registerAccount, signIn } from './support/accounts.js';
import { issueTokens } from './support/tokens.js';

/** A line the library's security log wrote (pino JSON, Nest context `SignoffSecurity`). */
interface SecurityLine {
  context: string;
  event: string;
  code: string;
  reason?: string;
  method: string;
  path: string;
  ip: string;
  requestId?: string;
  sessionId?: string;
  userId?: string;
  requestedSessionId?: string;
}

describe('security events (AUD-06)', () => {
  let api: ApiProcess;
  /** Every secret value the probes sent: none may appear in the app's output (AUD-03). */
  const secrets = new Set<string>();

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api?.stop();
  });

  function securityLines(requestId: string): SecurityLine[] {
    return api
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Partial<SecurityLine>)
      .filter((entry): entry is SecurityLine => entry.context === 'SignoffSecurity' && entry.requestId === requestId);
  }

  /** The security lines of one request, once the app has written them (logging is asynchronous). */
  async function linesOf(requestId: string, expected = 1): Promise<SecurityLine[]> {
    for (let attempt = 0; attempt < 20 && securityLines(requestId).length < expected; attempt++) await delay(100);
    return securityLines(requestId);
  }

  it('should log a replayed logged-out session cookie as session_use_after_revoke, path without its query', async () => {
    const account = await registerAccount(api.url);
    const { browser, sessionId } = await signIn(api.url, account);
    const token = browser.cookie('sid')!;
    secrets.add(token);
    expect((await browser.request('POST', '/api/auth/logout')).status).toBe(200);

    const replay = new BrowserClient(api.url);
    replay.cookies.set('sid', token);
    const requestId = `replay-${randomUUID()}`;
    const rejected = await replay.request('GET', '/api/auth/me?probe=replay-query-7c2e', { headers: { 'x-request-id': requestId } });
    expect(rejected.status).toBe(401);
    expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'logout' });

    const lines = await linesOf(requestId);
    expect(lines).toEqual([
      // Whose session was replayed: its id and user, never its token.
      expect.objectContaining({
        event: 'session_use_after_revoke',
        code: 'session_ended',
        reason: 'logout',
        method: 'GET',
        path: '/api/auth/me',
        sessionId,
        userId: account.id,
      }),
    ]);
    expect(lines[0].ip).toMatch(/^127\.0\.0\.1$|^::1$/);
    expect(JSON.stringify(lines)).not.toContain('replay-query-7c2e');
  });

  it('should log a forged access token as authn_token_invalid', async () => {
    const tokens = await issueTokens(api.url, await registerAccount(api.url));
    const [header, payload, signature] = tokens.access_token.split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    secrets.add(tokens.access_token);
    secrets.add(tokens.refresh_token);
    secrets.add(forged);
    const requestId = `forged-${randomUUID()}`;
    const rejected = await new BrowserClient(api.url).request('GET', '/api/auth/me', { bearer: forged, headers: { 'x-request-id': requestId } });
    expect(rejected.status).toBe(401);

    expect(await linesOf(requestId)).toEqual([expect.objectContaining({ event: 'authn_token_invalid', code: 'unauthenticated', path: '/api/auth/me' })]);
  });

  it('should log a wrong XSRF value and a foreign Origin as malicious_csrf, with the session and user', async () => {
    const account = await registerAccount(api.url);
    const { browser, sessionId } = await signIn(api.url, account);
    secrets.add(browser.cookie('sid')!);
    secrets.add(browser.cookie('XSRF-TOKEN')!);
    const wrongXsrf = `wrong-xsrf-${randomUUID()}`;
    secrets.add(wrongXsrf);
    // The session is cached by now: this is the guard's cached path.
    expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);

    const xsrfId = `csrf-${randomUUID()}`;
    const badXsrf = await browser.request('POST', '/api/auth/sessions/revoke-others', { headers: { 'x-xsrf-token': wrongXsrf, 'x-request-id': xsrfId } });
    expect(badXsrf.status).toBe(403);
    expect(badXsrf.body).toMatchObject({ code: 'csrf_token_invalid' });
    const originId = `origin-${randomUUID()}`;
    const badOrigin = await browser.request('POST', '/api/auth/sessions/revoke-others', {
      headers: { origin: 'https://evil.example', 'x-request-id': originId },
    });
    expect(badOrigin.status).toBe(403);
    expect(badOrigin.body).toMatchObject({ code: 'origin_not_allowed' });

    const expected = { event: 'malicious_csrf', method: 'POST', path: '/api/auth/sessions/revoke-others', sessionId, userId: account.id };
    expect(await linesOf(xsrfId)).toEqual([expect.objectContaining({ ...expected, code: 'csrf_token_invalid' })]);
    expect(await linesOf(originId)).toEqual([expect.objectContaining({ ...expected, code: 'origin_not_allowed' })]);
  });

  it("should log a DELETE of another user's session as malicious_direct_reference, still answering 404, and not an unknown id", async () => {
    const victim = await signIn(api.url, await registerAccount(api.url));
    const attackerAccount = await registerAccount(api.url);
    const attacker = await signIn(api.url, attackerAccount);
    secrets.add(victim.browser.cookie('sid')!);
    secrets.add(attacker.browser.cookie('sid')!);
    secrets.add(attacker.browser.cookie('XSRF-TOKEN')!);

    const foreignId = `idor-${randomUUID()}`;
    const foreign = await attacker.browser.request('DELETE', `/api/auth/sessions/${victim.sessionId}`, { headers: { 'x-request-id': foreignId } });
    const unknownId = `unknown-${randomUUID()}`;
    const unknown = await attacker.browser.request('DELETE', `/api/auth/sessions/${randomUUID()}`, { headers: { 'x-request-id': unknownId } });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect((await victim.browser.request('GET', '/api/auth/me')).status).toBe(200);

    expect(await linesOf(foreignId)).toEqual([
      expect.objectContaining({
        event: 'malicious_direct_reference',
        method: 'DELETE',
        path: `/api/auth/sessions/${victim.sessionId}`,
        userId: attackerAccount.id,
        sessionId: attacker.sessionId,
        requestedSessionId: victim.sessionId,
      }),
    ]);
    expect(securityLines(unknownId)).toEqual([]);
  });

  it('should log a signed-in user without the admin role on an admin route as authz_fail', async () => {
    const account = await registerAccount(api.url);
    const { browser, sessionId } = await signIn(api.url, account);
    secrets.add(browser.cookie('sid')!);
    const requestId = `authz-${randomUUID()}`;
    expect((await browser.request('GET', '/api/admin/users', { headers: { 'x-request-id': requestId } })).status).toBe(403);

    expect(await linesOf(requestId)).toEqual([
      expect.objectContaining({ event: 'authz_fail', code: 'forbidden', method: 'GET', path: '/api/admin/users', userId: account.id, sessionId }),
    ]);
  });

  it('should log nothing for an anonymous request to a protected route, nor for a logout with a garbage cookie', async () => {
    const anonymousId = `anonymous-${randomUUID()}`;
    expect((await new BrowserClient(api.url).request('GET', '/api/auth/me', { headers: { 'x-request-id': anonymousId } })).status).toBe(401);
    const garbage = new BrowserClient(api.url);
    garbage.cookies.set('sid', 'garbage');
    const logoutId = `logout-${randomUUID()}`;
    expect((await garbage.request('POST', '/api/auth/logout', { headers: { 'x-request-id': logoutId } })).status).toBe(200);
    await delay(300);

    expect(securityLines(anonymousId)).toEqual([]);
    expect(securityLines(logoutId)).toEqual([]);
  });

  it('should count the events in signoff_security_events_total', async () => {
    const metrics = await new BrowserClient(api.url).request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    const count = (event: string) => Number(new RegExp(`^signoff_security_events_total\\{event="${event}"\\} (\\d+)$`, 'm').exec(String(metrics.body))?.[1]);
    expect(count('malicious_csrf')).toBeGreaterThanOrEqual(2);
    for (const event of ['session_use_after_revoke', 'authn_token_invalid', 'malicious_direct_reference', 'authz_fail'])
      expect(count(event)).toBeGreaterThanOrEqual(1);
  });

  it('should write no cookie, token, JWT or XSRF value the probes sent', () => {
    expect(secrets.size).toBeGreaterThan(5);
    const output = api.logs();
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
