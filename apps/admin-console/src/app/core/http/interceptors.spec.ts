import { HttpClient } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { clearCookies, provideConsoleTesting, setCookie } from '../../../testing/testing-providers';
import { nextRequest, problem } from '../../../testing/http';
import { ClientSession } from '../auth/client-session';

@Component({ template: '' })
class Blank {}

function setUp() {
  TestBed.configureTestingModule({
    providers: [
      provideConsoleTesting([
        { path: 'login', component: Blank },
        { path: 'devices', component: Blank },
      ]),
    ],
  });
  const session = TestBed.inject(ClientSession);
  session.signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
  return { session, client: TestBed.inject(HttpClient), http: TestBed.inject(HttpTestingController), router: TestBed.inject(Router) };
}

describe('sessionEndInterceptor', () => {
  beforeEach(() => clearCookies());

  it('should end the local session on a 401 from any call and show the login page with its reason and the page to come back to', async () => {
    const { session, client, http, router } = setUp();
    await router.navigateByUrl('/devices');
    const call = firstValueFrom(client.get('/api/admin/users'));
    (await nextRequest(http, { url: '/api/admin/users' })).flush(problem(401, { code: 'session_ended', reason: 'revoked_by_admin' }), {
      status: 401,
      statusText: 'Unauthorized',
    });
    await expect(call).rejects.toMatchObject({ status: 401 });
    await vi.waitFor(() => expect(router.url).toBe('/login?reason=revoked_by_admin&next=%2Fdevices'));
    expect(session.user()).toBeNull();
  });

  it('should say only that the session ended when the 401 gives no reason', async () => {
    const { client, http, router } = setUp();
    await router.navigateByUrl('/devices');
    const call = firstValueFrom(client.post('/api/auth/sessions/revoke-others', {}));
    (await nextRequest(http, { url: '/api/auth/sessions/revoke-others' })).flush(problem(401, { code: 'unauthenticated' }), {
      status: 401,
      statusText: 'Unauthorized',
    });
    await expect(call).rejects.toBeTruthy();
    await vi.waitFor(() => expect(router.url).toBe('/login?ended=1&next=%2Fdevices'));
  });

  it('should leave other errors to the caller', async () => {
    const { session, client, http, router } = setUp();
    await router.navigateByUrl('/devices');
    const call = firstValueFrom(client.get('/api/auth/sessions'));
    (await nextRequest(http, { url: '/api/auth/sessions' })).flush(problem(500), { status: 500, statusText: 'Server Error' });
    await expect(call).rejects.toMatchObject({ status: 500 });
    expect(session.user()).not.toBeNull();
    expect(router.url).toBe('/devices');
  });
});

describe('reauthInterceptor', () => {
  beforeEach(() => clearCookies());

  async function stepUp() {
    const context = setUp();
    setCookie('XSRF-TOKEN=before; path=/');
    const fixture = TestBed.createComponent(Blank);
    const documentLoader = TestbedHarnessEnvironment.documentRootLoader(fixture);
    const call = firstValueFrom(context.client.delete('/api/auth/sessions/s2'));
    const first = await nextRequest(context.http, { method: 'DELETE', url: '/api/auth/sessions/s2' });
    expect(first.request.headers.get('X-XSRF-TOKEN')).toBe('before');
    first.flush(problem(403, { code: 'reauth_required' }), { status: 403, statusText: 'Forbidden' });
    const dialog = await documentLoader.getHarness(MatDialogHarness);
    return { ...context, call, dialog };
  }

  it('should ask for the password, re-authenticate, and retry the request with the rotated XSRF token', async () => {
    const { http, call, dialog } = await stepUp();
    expect(await dialog.getTitleText()).toBe('Confirm your password');
    await (await dialog.getHarness(MatInputHarness)).setValue('wrong password');
    const confirmWrong = (await dialog.getHarness(MatButtonHarness.with({ text: /Confirm/ }))).click();
    (await nextRequest(http, { method: 'POST', url: '/api/auth/reauth' })).flush(problem(403, { code: 'invalid_password' }), {
      status: 403,
      statusText: 'Forbidden',
    });
    await confirmWrong;
    expect(await (await dialog.host()).text()).toContain('The password is not correct.');

    await (await dialog.getHarness(MatInputHarness)).setValue('the right password');
    const confirm = (await dialog.getHarness(MatButtonHarness.with({ text: /Confirm/ }))).click();
    const reauth = await nextRequest(http, { method: 'POST', url: '/api/auth/reauth' });
    expect(reauth.request.body).toEqual({ password: 'the right password' });
    setCookie('XSRF-TOKEN=after; path=/');
    reauth.flush({ session: { id: 's1' } });
    const retry = await nextRequest(http, { method: 'DELETE', url: '/api/auth/sessions/s2' });
    expect(retry.request.headers.get('X-XSRF-TOKEN')).toBe('after');
    retry.flush(null, { status: 204, statusText: 'No Content' });
    await confirm;
    await expect(call).resolves.toBeNull();
  });

  it('should offer a single sign-on session the provider, coming back to the same page', async () => {
    const { http, call, dialog } = await stepUp();
    (await nextRequest(http, { method: 'GET', url: '/api/auth/me' })).flush({
      user: { id: 'u1', email: 'ada@example.com', roles: [] },
      session: { id: 's1', createdAt: '2026-03-01T08:00:00.000Z', expiresAt: '2026-03-01T09:00:00.000Z', sso: { issuer: 'https://login.example.com' } },
    });
    const provider = await dialog.getHarness(MatButtonHarness.with({ text: /organisation's sign-in service/ }));
    expect(await (await provider.host()).getAttribute('href')).toBe('/api/auth/oidc/login?reauth=1&returnTo=%2F');
    // The password stays possible (a linked account may have both).
    expect(await dialog.getAllHarnesses(MatInputHarness)).toHaveLength(1);
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    await expect(call).rejects.toMatchObject({ status: 403 });
  });

  it('should offer no provider to a password session', async () => {
    const { http, call, dialog } = await stepUp();
    (await nextRequest(http, { method: 'GET', url: '/api/auth/me' })).flush({
      user: { id: 'u1', email: 'ada@example.com', roles: [] },
      session: { id: 's1', createdAt: '2026-03-01T08:00:00.000Z', expiresAt: '2026-03-01T09:00:00.000Z' },
    });
    expect(await dialog.getAllHarnesses(MatButtonHarness.with({ text: /organisation's sign-in service/ }))).toHaveLength(0);
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    await expect(call).rejects.toMatchObject({ status: 403 });
  });

  it('should fail the request with the original 403 when the user cancels', async () => {
    const { http, call, dialog } = await stepUp();
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    await expect(call).rejects.toMatchObject({ status: 403, error: { code: 'reauth_required' } });
    http.expectNone({ method: 'POST', url: '/api/auth/reauth' });
  });
});
