import { HttpTestingController, type TestRequest } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatCheckboxHarness } from '@angular/material/checkbox/testing';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ClientSession } from '../../core/auth/client-session';
import { nextRequest, problem } from '../../../testing/http';
import { clearCookies, provideConsoleTesting } from '../../../testing/testing-providers';
import { Login, UNAVAILABLE_RECHECK_MS } from './login';

@Component({ template: 'devices' })
class Devices {}

async function openLogin(url: string) {
  const { harness, http } = await renderLogin(url);
  return { harness, loader: TestbedHarnessEnvironment.loader(harness.fixture), http, registration: await nextRequest(http, { url: '/api/auth/registration' }) };
}

async function renderLogin(url: string) {
  TestBed.configureTestingModule({
    providers: [
      provideConsoleTesting([
        { path: 'login', component: Login },
        { path: 'devices', component: Devices },
        { path: '', pathMatch: 'full', component: Devices },
      ]),
    ],
  });
  const harness = await RouterTestingHarness.create();
  await harness.navigateByUrl(url);
  return { harness, http: TestBed.inject(HttpTestingController) };
}

function addMeta(name: string, content: string): void {
  const meta = document.createElement('meta');
  meta.name = name;
  meta.content = content;
  document.head.append(meta);
}

describe('Login', () => {
  beforeEach(() => clearCookies());

  it.each([
    ['/login?logged_out=1', 'You have been signed out'],
    ['/login?reason=password_change', 'Your password was changed on another device'],
    ['/login?reason=revoked_by_admin', 'An administrator signed you out'],
    // The device that asked may have kept its own session: never claim "all your devices".
    ['/login?reason=logout_everywhere', 'This device was signed out when one of your devices signed out all your other devices'],
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

  it('should not say "signed out on all your devices" after another device signed out the others', async () => {
    const { harness } = await openLogin('/login?reason=logout_everywhere');
    expect(harness.routeNativeElement?.textContent).not.toContain('all your devices');
  });

  it('should link to sign-up when the server says registration is open', async () => {
    const { harness, registration } = await openLogin('/login');
    registration.flush({ open: true });
    await harness.fixture.whenStable();
    const link = harness.routeNativeElement?.querySelector<HTMLAnchorElement>('[data-testid=signup-link] a');
    expect(link?.textContent).toBe('Create an account');
    expect(link?.getAttribute('href')).toBe('/signup');
  });

  it.each([
    ['closed', (request: TestRequest) => request.flush({ open: false })],
    ['unknown (404)', (request: TestRequest) => request.flush(problem(404), { status: 404, statusText: 'Not Found' })],
  ])('should offer no sign-up link when registration is %s', async (_label, answer) => {
    const { harness, registration } = await openLogin('/login');
    answer(registration);
    await harness.fixture.whenStable();
    expect(harness.routeNativeElement?.querySelector('[data-testid=signup-link]')).toBeNull();
  });

  describe('in a host that says so in index.html', () => {
    afterEach(() => document.head.querySelectorAll('meta[name^="signoff-"]').forEach((meta) => meta.remove()));

    it('should not ask about registration when <meta name="signoff-registration" content="closed">, and offer no link', async () => {
      addMeta('signoff-registration', 'closed');
      const { harness, http } = await renderLogin('/login');
      await harness.fixture.whenStable();
      http.expectNone(() => true);
      expect(harness.routeNativeElement?.querySelector('[data-testid=signup-link]')).toBeNull();
    });

    it('should ask the API where <meta name="signoff-api"> puts it', async () => {
      addMeta('signoff-api', '/identity/v1');
      const { harness, http } = await renderLogin('/login');
      (await nextRequest(http, { url: '/identity/v1/auth/registration' })).flush({ open: true });
      await harness.fixture.whenStable();
      expect(harness.routeNativeElement?.querySelector('[data-testid=signup-link] a')?.getAttribute('href')).toBe('/signup');
    });
  });

  it('should sign in with remember me and go to the devices page', async () => {
    const { harness, loader, http } = await openLogin('/login');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=email]' }))).setValue('ada@example.com');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=password]' }))).setValue('correct horse battery staple');
    await (await loader.getHarness(MatCheckboxHarness.with({ label: 'Remember me' }))).check();
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Sign in/ }))).click();
    const request = await nextRequest(http, { method: 'POST', url: '/api/auth/login' });
    expect(request.request.body).toEqual({ email: 'ada@example.com', password: 'correct horse battery staple', rememberMe: true });
    request.flush({ user: { id: 'u1', email: 'ada@example.com', roles: [] }, session: { id: 's1', expiresAt: '' } });
    await submit;
    await harness.fixture.whenStable();
    // '/' sends admins to the overview and everyone else to their devices (see app.routes.ts).
    expect(TestBed.inject(Router).url).toBe('/');
    expect(TestBed.inject(ClientSession).user()?.email).toBe('ada@example.com');
  });

  it.each([
    ['/login?reason=revoked_by_admin&next=%2Fdevices%3Ftab%3Dall', '/devices?tab=all'],
    ['/login?ended=1&next=%2F%2Fevil.example%2Fdevices', '/'],
    ['/login?ended=1&next=https%3A%2F%2Fevil.example%2F', '/'],
  ])('should sign in from %s and go to %s', async (url, landing) => {
    const { harness, loader, http } = await openLogin(url);
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=email]' }))).setValue('ada@example.com');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=password]' }))).setValue('correct horse battery staple');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Sign in/ }))).click();
    (await nextRequest(http, { method: 'POST', url: '/api/auth/login' })).flush({
      user: { id: 'u1', email: 'ada@example.com', roles: [] },
      session: { id: 's1', expiresAt: '' },
    });
    await submit;
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe(landing);
  });

  it.each(['chloé.dupont@exemple.fr', '张伟@例子.中国', 'dmitri.ivanov@пример.рф'])('should sign in as %s, sending the address as typed', async (address) => {
    const { harness, loader, http } = await openLogin('/login');
    const input = harness.routeNativeElement!.querySelector<HTMLInputElement>('[formControlName=email]')!;
    // type="email" would let the browser rewrite an internationalised domain to punycode before the form sees it.
    expect([input.type, input.inputMode, input.autocomplete]).toEqual(['text', 'email', 'username']);
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=email]' }))).setValue(address);
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=password]' }))).setValue('correct horse battery staple');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Sign in/ }))).click();
    const request = await nextRequest(http, { method: 'POST', url: '/api/auth/login' });
    expect(request.request.body).toEqual({ email: address, password: 'correct horse battery staple', rememberMe: false });
    request.flush({ user: { id: 'u1', email: address, roles: [] }, session: { id: 's1', expiresAt: '' } });
    await submit;
    expect(TestBed.inject(ClientSession).user()?.email).toBe(address);
  });

  it('should refuse an address with a space before sending anything', async () => {
    const { harness, loader, http } = await openLogin('/login');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=email]' }))).setValue('ada lovelace@example.com');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=password]' }))).setValue('correct horse battery staple');
    await (await loader.getHarness(MatButtonHarness.with({ text: /Sign in/ }))).click();
    await harness.fixture.whenStable();
    http.expectNone('/api/auth/login');
    expect(harness.routeNativeElement?.textContent).toContain('Enter an email address.');
  });

  it('should say the same thing for an unknown email and a wrong password', async () => {
    const { harness, loader, http } = await openLogin('/login');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=email]' }))).setValue('ada@example.com');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type=password]' }))).setValue('nope');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Sign in/ }))).click();
    (await nextRequest(http, { url: '/api/auth/login' })).flush(problem(401, { code: 'unauthenticated' }), {
      status: 401,
      statusText: 'Unauthorized',
    });
    await submit;
    await harness.fixture.whenStable();
    expect(harness.routeNativeElement?.querySelector('[data-testid=login-error]')?.textContent).toContain('The email or password is not correct.');
    expect(TestBed.inject(Router).url).toBe('/login');
  });

  it('should empty the password after a wrong one without also saying "Password is required."', async () => {
    const { harness, loader, http } = await openLogin('/login');
    const email = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=email]' }));
    const password = await loader.getHarness(MatInputHarness.with({ selector: '[type=password]' }));
    await email.setValue('ada@example.com');
    await password.setValue('nope');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Sign in/ }))).click();
    (await nextRequest(http, { url: '/api/auth/login' })).flush(problem(401, { code: 'unauthenticated' }), { status: 401, statusText: 'Unauthorized' });
    await submit;
    await harness.fixture.whenStable();
    const page = harness.routeNativeElement!;
    expect(page.textContent).toContain('The email or password is not correct.');
    expect(page.textContent).not.toContain('Password is required.');
    expect(page.querySelectorAll('mat-error')).toHaveLength(0);
    expect(await email.getValue()).toBe('ada@example.com');
    expect(await password.getValue()).toBe('');
    for (const field of await loader.getAllHarnesses(MatFormFieldHarness)) expect(await field.hasErrors()).toBe(false);
  });

  it('should offer to continue when someone already signed in comes back to the login page', async () => {
    const { harness, loader } = await openLogin('/login');
    TestBed.inject(ClientSession).signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
    await harness.fixture.whenStable();
    expect(harness.routeNativeElement?.querySelector('[data-testid=already-signed-in]')?.textContent).toContain('You are signed in as ada@example.com.');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Continue' }))).click();
    expect(TestBed.inject(Router).url).toBe('/');
  });

  it('should offer to retry a sign-out the server never confirmed', async () => {
    const { harness, loader, http } = await openLogin('/login?logged_out=1&signout=unconfirmed');
    expect(harness.routeNativeElement?.querySelector('[data-testid=login-notice]')).toBeNull();
    expect(harness.routeNativeElement?.querySelector('[data-testid=logout-unconfirmed]')?.textContent).toContain('Sign-out was not confirmed');
    const retry = (await loader.getHarness(MatButtonHarness.with({ text: /Retry sign-out/ }))).click();
    (await nextRequest(http, { method: 'POST', url: '/api/auth/logout' })).flush({ redirectTo: '/login?logged_out=1' });
    await retry;
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/login?logged_out=1');
    expect(harness.routeNativeElement?.querySelector('[data-testid=logout-unconfirmed]')).toBeNull();
  });

  // A reload while PostgreSQL was down sent a signed-in user here; nothing had ended the session.
  it('should ask the server again while it is unavailable, and go back where the user was once the session answers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    try {
      // A browser with a session has its script-readable XSRF cookie: the console asks /me only then.
      document.cookie = 'XSRF-TOKEN=x; path=/';
      const { harness, http } = await openLogin('/login?unavailable=1&next=%2Fdevices');
      expect(harness.routeNativeElement?.querySelector('[data-testid=login-notice]')?.textContent).toContain('not available right now');

      await vi.advanceTimersByTimeAsync(UNAVAILABLE_RECHECK_MS);
      (await nextRequest(http, { url: '/api/auth/me' })).flush(problem(503, { code: 'service_unavailable' }), {
        status: 503,
        statusText: 'Service Unavailable',
      });
      expect(TestBed.inject(Router).url).toBe('/login?unavailable=1&next=%2Fdevices');

      await vi.advanceTimersByTimeAsync(UNAVAILABLE_RECHECK_MS);
      (await nextRequest(http, { url: '/api/auth/me' })).flush({ user: { id: 'u1', email: 'ada@example.com', roles: [] } });
      await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/devices'));
    } finally {
      vi.useRealTimers();
    }
  });
});
