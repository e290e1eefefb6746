import { TestBed } from '@angular/core/testing';
import { SsoBadge } from './sso-badge';

function render(sso?: { issuer: string }): HTMLElement {
  const fixture = TestBed.createComponent(SsoBadge);
  fixture.componentRef.setInput('session', sso ? { sso } : {});
  fixture.detectChanges();
  return fixture.nativeElement as HTMLElement;
}

describe('SsoBadge', () => {
  it('should mark a session that came through single sign-on, naming the provider as text', () => {
    const badge = render({ issuer: 'https://login.example.com/<b>' }).querySelector('[data-testid=sso-badge]');
    expect(badge?.textContent?.trim()).toBe('SSO');
    expect(badge?.getAttribute('aria-label')).toBe('Signed in through single sign-on (https://login.example.com/<b>)');
    expect(badge?.querySelector('b')).toBeNull();
  });

  it('should show nothing for any other session', () => {
    expect(render().querySelector('[data-testid=sso-badge]')).toBeNull();
  });
});
