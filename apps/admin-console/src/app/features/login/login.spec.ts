import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatCheckboxHarness } from '@angular/material/checkbox/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ClientSession } from '../../core/auth/client-session';
import { nextRequest, problem } from '../../../testing/http';
import { clearCookies, provideConsoleTesting } from '../../../testing/testing-providers';
import { Login } from './login';

@Component({ template: 'devices' })
class Devices {}

async function openLogin(url: string) {
  TestBed.configureTestingModule({
    providers: [provideConsoleTesting([{ path: 'login', component: Login }, { path: 'devices', component: Devices }])],
  });
  const harness = await RouterTestingHarness.create();
  await harness.navigateByUrl(url);
  return { harness, loader: TestbedHarnessEnvironment.loader(harness.fixture), http: TestBed.inject(HttpTestingController) };
}

describe('Login', () => {
  beforeEach(() => clearCookies());

  it.each([
    ['/login?logged_out=1', 'You have been signed out'],
    ['/login?reason=password_change', 'Your password was changed on another device'],
    ['/login?reason=revoked_by_admin', 'An administrator signed you out'],
    ['/login?reason=expired_idle', 'Your session expired after a period of inactivity'],
    ['/login?ended=1', 'Your session has ended. Please sign in again.'],
  ])('should explain %s', async (url, text) => {
    const { harness } = await openLogin(url);
    expect(harness.routeNativeElement?.querySelector('[data-testid=login-notice]')?.textContent).toContain(text);
  });

  it('should ignore a reason it does not know instead of showing it', async () => {
    const { harness } = await openLogin('/login?reason=%3Cimg%20src%3Dx%3E');
    expect(harness.routeNativeElement?.querySelector('[data-testid=login-notice]')).toBeNull();
  });

  it('should sign in with remember me and go to the devices page', async () => {
    const { harness, loader, http } = await openLogin('/login');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=email]' }))).setValue('ada@example.com');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=password]' }))).setValue('correct horse battery staple');
    await (await loader.getHarness(MatCheckboxHarness.with({ label: 'Remember me' }))).check();
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Sign in/ }))).click();
    const request = await nextRequest(http, { method: 'POST', url: '/api/auth/login' });
    expect(request.request.body).toEqual({ email: 'ada@example.com', password: 'correct horse battery staple', rememberMe: true });
    request.flush({ user: { id: 'u1', email: 'ada@example.com', roles: [] }, session: { id: 's1', expiresAt: '' } });
    await submit;
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/devices');
    expect(TestBed.inject(ClientSession).user()?.email).toBe('ada@example.com');
  });

  it('should say the same thing for an unknown email and a wrong password', async () => {
    const { harness, loader, http } = await openLogin('/login');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=email]' }))).setValue('ada@example.com');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=password]' }))).setValue('nope');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Sign in/ }))).click();
    (await nextRequest(http, { url: '/api/auth/login' })).flush(problem(401, { code: 'unauthenticated' }), {
      status: 401,
      statusText: 'Unauthorized',
    });
    await submit;
    await harness.fixture.whenStable();
    expect(harness.routeNativeElement?.querySelector('[data-testid=login-error]')?.textContent).toContain(
      'The email or password is not correct.',
    );
    expect(TestBed.inject(Router).url).toBe('/login');
  });

  it('should offer to retry a sign-out the server never confirmed', async () => {
    const { harness, loader, http } = await openLogin('/login?logged_out=1&signout=unconfirmed');
    expect(harness.routeNativeElement?.querySelector('[data-testid=login-notice]')).toBeNull();
    expect(harness.routeNativeElement?.querySelector('[data-testid=logout-unconfirmed]')?.textContent).toContain(
      'Sign-out was not confirmed',
    );
    const retry = (await loader.getHarness(MatButtonHarness.with({ text: /Retry sign-out/ }))).click();
    (await nextRequest(http, { method: 'POST', url: '/api/auth/logout' })).flush({ redirectTo: '/login?logged_out=1' });
    await retry;
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/login?logged_out=1');
    expect(harness.routeNativeElement?.querySelector('[data-testid=logout-unconfirmed]')).toBeNull();
  });
});
