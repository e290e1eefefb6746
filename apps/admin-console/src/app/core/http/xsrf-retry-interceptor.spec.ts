import { HttpClient } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { nextRequest, problem } from '../../../testing/http';
import { clearCookies, provideConsoleTesting, setCookie } from '../../../testing/testing-providers';
import { xsrfCookieValues } from './xsrf-retry-interceptor';

function setUp() {
  TestBed.configureTestingModule({ providers: [provideConsoleTesting()] });
  return { client: TestBed.inject(HttpClient), http: TestBed.inject(HttpTestingController) };
}

const csrfRefused = { status: 403, statusText: 'Forbidden' };

describe('xsrfRetryInterceptor', () => {
  beforeEach(() => {
    clearCookies();
    // A page under /devices: a cookie planted for that path is listed before the API's own (Path=/).
    window.history.pushState({}, '', '/devices');
  });

  afterEach(() => {
    setCookie('XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/devices');
    clearCookies();
    window.history.pushState({}, '', '/');
  });

  it("should send a refused call again with the page's other XSRF value, so a planted cookie cannot block a logout", async () => {
    setCookie('XSRF-TOKEN=ours; path=/');
    setCookie('XSRF-TOKEN=planted; path=/devices');
    expect(xsrfCookieValues(document.cookie)).toEqual(['planted', 'ours']);
    const { client, http } = setUp();
    const logout = firstValueFrom(client.post('/api/auth/logout', {}));
    const first = await nextRequest(http, { method: 'POST', url: '/api/auth/logout' });
    expect(first.request.headers.get('X-XSRF-TOKEN')).toBe('planted');
    first.flush(problem(403, { code: 'csrf_token_invalid' }), csrfRefused);
    const second = await nextRequest(http, { method: 'POST', url: '/api/auth/logout' });
    expect(second.request.headers.get('X-XSRF-TOKEN')).toBe('ours');
    second.flush({ redirectTo: '/login?logged_out=1' });
    await expect(logout).resolves.toEqual({ redirectTo: '/login?logged_out=1' });
    http.verify();
  });

  it('should give the refusal to the caller when the page has no other value, sending nothing more', async () => {
    setCookie('XSRF-TOKEN=ours; path=/');
    const { client, http } = setUp();
    const call = firstValueFrom(client.post('/api/auth/logout-all', {}));
    (await nextRequest(http, { method: 'POST', url: '/api/auth/logout-all' })).flush(problem(403, { code: 'csrf_token_invalid' }), csrfRefused);
    await expect(call).rejects.toMatchObject({ status: 403 });
    http.verify();
  });

  it('should not retry any other refusal, nor a refusal after every value was tried', async () => {
    setCookie('XSRF-TOKEN=ours; path=/');
    setCookie('XSRF-TOKEN=planted; path=/devices');
    const { client, http } = setUp();
    const forbidden = firstValueFrom(client.post('/api/admin/users/u2/sessions/revoke', {}));
    (await nextRequest(http, { method: 'POST', url: '/api/admin/users/u2/sessions/revoke' })).flush(problem(403, { code: 'forbidden' }), csrfRefused);
    await expect(forbidden).rejects.toMatchObject({ status: 403 });

    const refused = firstValueFrom(client.post('/api/auth/logout', {}));
    for (let attempt = 0; attempt < 2; attempt++) {
      (await nextRequest(http, { method: 'POST', url: '/api/auth/logout' })).flush(problem(403, { code: 'csrf_token_invalid' }), csrfRefused);
    }
    await expect(refused).rejects.toMatchObject({ status: 403 });
    http.verify();
  });
});
