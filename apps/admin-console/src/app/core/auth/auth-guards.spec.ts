import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { nextRequest, problem } from '../../../testing/http';
import { clearCookies, provideConsoleTesting, setCookie } from '../../../testing/testing-providers';
import { roleGuard, signedInGuard } from './auth-guards';
import { ClientSession } from './client-session';

@Component({ template: 'page' })
class Page {}

const routes = [
  { path: 'login', component: Page },
  { path: 'devices', component: Page, canActivate: [signedInGuard] },
  { path: 'admin/users', component: Page, canActivate: [roleGuard('admin')] },
];

async function setUp() {
  TestBed.configureTestingModule({ providers: [provideConsoleTesting(routes)] });
  return { harness: await RouterTestingHarness.create(), router: TestBed.inject(Router), http: TestBed.inject(HttpTestingController) };
}

describe('route guards', () => {
  beforeEach(() => clearCookies());

  it('should send a visitor without a session to /login, remembering where they were going', async () => {
    const { harness, router } = await setUp();
    await harness.navigateByUrl('/admin/users');
    expect(router.url).toBe('/login?next=%2Fadmin%2Fusers');
  });

  it('should say why when the session check finds an ended session', async () => {
    const { harness, router, http } = await setUp();
    setCookie('XSRF-TOKEN=abc; path=/');
    const navigation = harness.navigateByUrl('/devices');
    (await nextRequest(http, { url: '/api/auth/me' })).flush(problem(401, { code: 'session_expired', reason: 'expired_idle' }), {
      status: 401,
      statusText: 'Unauthorized',
    });
    await navigation;
    expect(router.url).toBe('/login?reason=expired_idle&next=%2Fdevices');
  });

  it('should let admins into /admin and send other users to their devices', async () => {
    const { harness, router } = await setUp();
    const session = TestBed.inject(ClientSession);
    session.signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
    await harness.navigateByUrl('/admin/users');
    expect(router.url).toBe('/devices');
    session.signedIn({ id: 'a1', email: 'root@example.com', roles: ['admin'] });
    await harness.navigateByUrl('/admin/users');
    expect(router.url).toBe('/admin/users');
  });
});
