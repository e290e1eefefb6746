import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient, parseSetCookie } from '../../../test-support/http-client.js';
import { PASSWORD, registerAccount } from './support/accounts.js';

describe('COOKIE_SECURE=true', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    api = await startApi({ env: { COOKIE_SECURE: 'true' } });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('should use __Host-sid with Secure, Path=/ and no Domain, clear it the same way, and ignore look-alike names', async () => {
    const account = await registerAccount(api.url);
    const browser = new BrowserClient(api.url);
    const login = await browser.request('POST', '/api/auth/login', { json: { email: account.email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const cookies = Object.fromEntries(login.setCookies.map(parseSetCookie).map((cookie) => [cookie.name, cookie]));
    expect(Object.keys(cookies).sort()).toEqual(['XSRF-TOKEN', '__Host-sid']);
    expect(cookies['__Host-sid'].attributes).toEqual({ path: '/', httponly: true, secure: true, samesite: 'Lax' });
    expect(cookies['XSRF-TOKEN'].attributes).toEqual({ path: '/', secure: true, samesite: 'Lax' });
    const token = browser.cookie('__Host-sid')!;
    expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);

    for (const name of ['sid', '__HOST-sid', '__host-sid']) {
      const lookalike = new BrowserClient(api.url);
      lookalike.cookies.set(name, token);
      expect((await lookalike.request('GET', '/api/auth/me')).status).toBe(401);
    }

    const logout = await browser.request('POST', '/api/auth/logout');
    expect(logout.status).toBe(200);
    const cleared = Object.fromEntries(logout.setCookies.map(parseSetCookie).map((cookie) => [cookie.name, cookie]));
    expect(cleared['__Host-sid']).toMatchObject({ value: '', attributes: { 'max-age': '0', path: '/', httponly: true, secure: true, samesite: 'Lax' } });
    expect(cleared['XSRF-TOKEN']).toMatchObject({ value: '', attributes: { 'max-age': '0', path: '/', secure: true, samesite: 'Lax' } });
  });
});
