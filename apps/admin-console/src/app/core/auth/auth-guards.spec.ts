import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { nextRequest, problem } from '../../../testing/http';
import { clearCookies, provideConsoleTesting, setCookie } from '../../../testing/testing-providers';
import { NoAccess } from '../layout/no-access';
import { adminMatch, landingGuard, signedInGuard } from './auth-guards';
import { ClientSession } from './client-session';

@Component({ template: 'page' })
class Page {}

const routes = [
  { path: 'login', component: Page },
  {
    path: '',
    canActivate: [signedInGuard],
    children: [
      { path: '', pathMatch: 'full' as const, canActivate: [landingGuard], children: [] },
      { path: 'devices', component: Page },
      {
        path: 'admin',
        canMatch: [adminMatch],
        children: [
          { path: 'users', component: Page },
          { path: 'overview', component: Page },
        ],
      },
      { path: 'admin', children: [{ path: '**', component: NoAccess }] },
    ],
  },
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

  it('should show a user without the admin role a "no access" page at the /admin address they opened, not their devices', async () => {
    const { harness, router } = await setUp();
    TestBed.inject(ClientSession).signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
    await harness.navigateByUrl('/admin/users');
    expect(router.url).toBe('/admin/users');
    expect(harness.routeNativeElement?.textContent).toContain('No access');
    expect(harness.routeNativeElement?.textContent).toContain('This page is for administrators');
  });

  it('should let admins into /admin', async () => {
    const { harness, router } = await setUp();
    TestBed.inject(ClientSession).signedIn({ id: 'a1', email: 'root@example.com', roles: ['admin'] });
    await harness.navigateByUrl('/admin/users');
    expect(router.url).toBe('/admin/users');
    expect(harness.routeNativeElement?.textContent).not.toContain('No access');
  });

  it('should land admins on the overview and everyone else on their devices', async () => {
    const { harness, router } = await setUp();
    const session = TestBed.inject(ClientSession);
    session.signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
    await harness.navigateByUrl('/');
    expect(router.url).toBe('/devices');
    session.signedIn({ id: 'a1', email: 'root@example.com', roles: ['admin'] });
    await harness.navigateByUrl('/');
    expect(router.url).toBe('/admin/overview');
  });
});
