import { TestBed } from '@angular/core/testing';
import { RouterTestingHarness } from '@angular/router/testing';
import { provideConsoleTesting } from '../../../testing/testing-providers';
import { Login } from './login';
import { SsoApi, type SsoStatus } from './sso-api';
import { SSO_STATUS_RECHECK_MS } from './sso-sign-in';

class FakeSsoApi {
  statusAnswer: SsoStatus | null = null;
  logoutStates: string[] = [];
  checked: string[] = [];
  status(): Promise<SsoStatus | null> {
    return Promise.resolve(this.statusAnswer);
  }
  isLogoutState(state: string): Promise<boolean> {
    this.checked.push(state);
    return Promise.resolve(this.logoutStates.includes(state));
  }
}

async function openLogin(url: string, sso: Partial<FakeSsoApi> = {}) {
  const api = Object.assign(new FakeSsoApi(), sso);
  TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'login', component: Login }]), { provide: SsoApi, useValue: api }] });
  const harness = await RouterTestingHarness.create();
  await harness.navigateByUrl(url);
  await new Promise((resolve) => setTimeout(resolve));
  harness.fixture.detectChanges();
  await harness.fixture.whenStable();
  const element = (testId: string) => harness.routeNativeElement?.querySelector(`[data-testid=${testId}]`) ?? null;
  const detectChanges = async () => {
    harness.fixture.detectChanges();
    await harness.fixture.whenStable();
  };
  return { api, element, detectChanges };
}

describe('SsoSignIn (on the login page)', () => {
  it('should offer "Sign in with SSO" as a link to the server when single sign-on is available, keeping a safe next', async () => {
    const { element } = await openLogin('/login?next=%2Fadmin%2Faudit', { statusAnswer: { available: true } });
    const link = element('sso-sign-in') as HTMLAnchorElement | null;
    expect(link?.textContent).toContain('Sign in with SSO');
    expect(link?.getAttribute('href')).toBe('/api/auth/oidc/login?returnTo=%2Fadmin%2Faudit');
  });

  it('should drop a next that is not a path of the console', async () => {
    const { element } = await openLogin('/login?next=%2F%2Fevil.example', { statusAnswer: { available: true } });
    expect(element('sso-sign-in')?.getAttribute('href')).toBe('/api/auth/oidc/login');
  });

  it('should offer nothing when single sign-on is off, and a disabled button while the provider cannot be reached', async () => {
    expect((await openLogin('/login')).element('sso-sign-in')).toBeNull();
    TestBed.resetTestingModule();
    const unreachable = await openLogin('/login', { statusAnswer: { available: false } });
    expect(unreachable.element('sso-sign-in')?.hasAttribute('disabled')).toBe(true);
  });

  it('should ask again while the provider cannot be reached, and offer the link once it answers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    try {
      const { api, element, detectChanges } = await openLogin('/login', { statusAnswer: { available: false } });
      expect(element('sso-sign-in')?.hasAttribute('disabled')).toBe(true);
      api.statusAnswer = { available: true };
      await vi.advanceTimersByTimeAsync(SSO_STATUS_RECHECK_MS);
      await detectChanges();
      expect(element('sso-sign-in')?.getAttribute('href')).toBe('/api/auth/oidc/login');
    } finally {
      vi.useRealTimers();
    }
  });

  it('should say why a single sign-on failed', async () => {
    const { element } = await openLogin('/login?error=sso_failed&provider_error=access_denied');
    expect(element('sso-error')?.textContent).toContain("cancelled at your organisation's sign-in service");
  });

  it('should say the provider signed the user out too only for a state the server recognises', async () => {
    const ours = await openLogin('/login?logged_out=1&state=ours', { logoutStates: ['ours'] });
    expect(ours.element('sso-signed-out')?.textContent).toContain('also signed out');
    TestBed.resetTestingModule();
    const forged = await openLogin('/login?logged_out=1&state=forged', { logoutStates: ['ours'] });
    expect(forged.api.checked).toEqual(['forged']);
    expect(forged.element('sso-signed-out')).toBeNull();
    expect(forged.element('login-notice')?.textContent).toContain('You have been signed out');
  });

  it("should explain an idp_logout: signed out by the organisation's sign-in service", async () => {
    const { element } = await openLogin('/login?reason=idp_logout');
    expect(element('login-notice')?.textContent).toContain("You were signed out by your organisation's sign-in service");
  });
});
