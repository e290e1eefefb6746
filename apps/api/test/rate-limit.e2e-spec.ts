import { type ApiProcess, startApis } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { registerAccount, signIn } from './support/accounts.js';
import { securityLogLine } from './support/security-log.js';

describe('AUTH_RATE_LIMIT shared by two instances through Redis', () => {
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    // Its own Redis prefix: the per-IP counters are keyed by route and IP, and other specs' apps
    // register from 127.0.0.1 at the same time; a block this limit of 4 sets would refuse them too.
    [a, b] = await startApis(2, { env: { AUTH_RATE_LIMIT: '4', REDIS_PREFIX: `${process.env['SIGNOFF_TEST_REDIS_PREFIX']}-rate-limit` } });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('should answer 429 with Retry-After once one IP has used the limit across both instances, and leave other routes alone', async () => {
    const account = await registerAccount(a.url);
    const session = await signIn(a.url, account);
    const attempt = (instance: ApiProcess) =>
      new BrowserClient(instance.url).request('POST', '/api/auth/login', { json: { email: account.email, password: 'wrong password' } });
    const statuses = [(await attempt(b)).status, (await attempt(a)).status, (await attempt(b)).status];
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await attempt(a);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Logged as a security event (FT-06 "429 and logged"), without the email or password.
    const line = await securityLogLine(a, (entry) => entry['event'] === 'excess_rate_limit_exceeded');
    expect(line).toMatchObject({ code: 'rate_limited', reason: 'ip_limit', method: 'POST', path: '/api/auth/login' });
    expect(a.logs()).not.toContain('wrong password');
    for (let i = 0; i < 6; i++) expect((await session.browser.request('GET', '/api/auth/me')).status).toBe(200);
  });
});
