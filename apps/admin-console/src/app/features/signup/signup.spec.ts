import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ClientSession } from '../../core/auth/client-session';
import { nextRequest, problem } from '../../../testing/http';
import { clearCookies, provideConsoleTesting } from '../../../testing/testing-providers';
import { Signup } from './signup';

@Component({ template: 'home' })
class Home {}

async function open() {
  TestBed.configureTestingModule({
    providers: [
      provideConsoleTesting([
        { path: 'signup', component: Signup },
        { path: '', pathMatch: 'full', component: Home },
      ]),
    ],
  });
  const harness = await RouterTestingHarness.create();
  await harness.navigateByUrl('/signup');
  const loader = TestbedHarnessEnvironment.loader(harness.fixture);
  const fill = async (email: string, password: string, repeat = password) => {
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=email]' }))).setValue(email);
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=password]' }))).setValue(password);
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=repeat]' }))).setValue(repeat);
  };
  return { harness, loader, fill, http: TestBed.inject(HttpTestingController) };
}

describe('Signup', () => {
  beforeEach(() => clearCookies());

  it('should register, sign in with the same credentials and go on', async () => {
    const { loader, fill, http } = await open();
    await fill('new@example.com', 'a long enough passphrase');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Create account/ }))).click();
    const register = await nextRequest(http, { method: 'POST', url: '/api/auth/register' });
    expect(register.request.body).toEqual({ email: 'new@example.com', password: 'a long enough passphrase' });
    register.flush({ user: { id: 'u9', email: 'new@example.com', roles: [] } }, { status: 201, statusText: 'Created' });
    const login = await nextRequest(http, { method: 'POST', url: '/api/auth/login' });
    expect(login.request.body).toEqual({ email: 'new@example.com', password: 'a long enough passphrase', rememberMe: false });
    login.flush({ user: { id: 'u9', email: 'new@example.com', roles: [] }, session: { id: 's9', expiresAt: '' } });
    await submit;
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/'));
    expect(TestBed.inject(ClientSession).user()?.email).toBe('new@example.com');
  });

  it('should say an email is taken, and empty the passwords without marking them', async () => {
    const { loader, fill, http, harness } = await open();
    await fill('taken@example.com', 'a long enough passphrase');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Create account/ }))).click();
    (await nextRequest(http, { url: '/api/auth/register' })).flush(problem(409), { status: 409, statusText: 'Conflict' });
    await submit;
    await vi.waitFor(() => expect(harness.routeNativeElement?.querySelector('[data-testid=signup-error]')?.textContent).toContain('already registered'));
    expect(await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=email]' }))).getValue()).toBe('taken@example.com');
    expect(harness.routeNativeElement?.querySelectorAll('mat-error')).toHaveLength(0);
  });

  it('should refuse a short password before sending anything', async () => {
    const { loader, fill, http } = await open();
    await fill('new@example.com', 'short');
    await (await loader.getHarness(MatButtonHarness.with({ text: /Create account/ }))).click();
    http.expectNone('/api/auth/register');
    expect(document.body.textContent).toContain('Use 12 to 128 characters.');
  });
});
