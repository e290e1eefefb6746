import { HttpTestingController } from '@angular/common/http/testing';
import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { ClientSession } from '../auth/client-session';
import { nextRequest } from '../../../testing/http';
import { provideConsoleTesting } from '../../../testing/testing-providers';
import { LogoutButton } from './logout-button';

@Component({ template: 'login' })
class LoginPage {}

@Component({
  imports: [LogoutButton],
  template: `@if (shown()) {
    <app-logout-button (signedOut)="signedOut = signedOut + 1" />
  }`,
})
class Host {
  readonly shown = signal(true);
  signedOut = 0;
}

describe('LogoutButton', () => {
  it('should not emit (NG0953 warning) when the sign-out it started completes after it was destroyed', async () => {
    const warn = vi.spyOn(console, 'warn');
    TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'login', component: LoginPage }])] });
    TestBed.inject(ClientSession).signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    (fixture.nativeElement as HTMLElement).querySelector<HTMLButtonElement>('[data-testid=logout]')!.click();
    fixture.componentInstance.shown.set(false);
    await fixture.whenStable();
    (await nextRequest(TestBed.inject(HttpTestingController), { method: 'POST', url: '/api/auth/logout' })).flush({ redirectTo: '/login?logged_out=1' });
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/login?logged_out=1'));
    expect(fixture.componentInstance.signedOut).toBe(0);
    expect(warn.mock.calls.flat().join(' ')).not.toContain('NG0953');
    warn.mockRestore();
  });
});
