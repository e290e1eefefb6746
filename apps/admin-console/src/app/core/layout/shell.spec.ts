import { BreakpointObserver } from '@angular/cdk/layout';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatMenuHarness } from '@angular/material/menu/testing';
import { of } from 'rxjs';
import { ClientSession } from '../auth/client-session';
import { provideConsoleTesting } from '../../../testing/testing-providers';
import { Shell } from './shell';

@Component({ template: 'page' })
class Page {}

async function render(compact: boolean, roles: string[]) {
  TestBed.configureTestingModule({
    providers: [
      provideConsoleTesting([{ path: '**', component: Page }]),
      { provide: BreakpointObserver, useValue: { observe: () => of({ matches: compact, breakpoints: {} }) } },
    ],
  });
  TestBed.inject(ClientSession).signedIn({ id: 'u1', email: 'ada@example.com', roles });
  const fixture = TestBed.createComponent(Shell);
  await fixture.whenStable();
  return { element: fixture.nativeElement as HTMLElement, loader: TestbedHarnessEnvironment.loader(fixture) };
}

describe('Shell', () => {
  it('should show the navigation, the email and sign-out in the toolbar on wide screens', async () => {
    const { element } = await render(false, ['admin']);
    expect([...element.querySelectorAll('nav a')].map((link) => link.textContent?.trim())).toEqual(['Overview', 'Users', 'Audit log', 'My devices']);
    expect(element.querySelector('[data-testid=signed-in-as]')?.textContent).toBe('ada@example.com');
    expect(element.querySelector('[data-testid=logout]')).not.toBeNull();
    expect(element.querySelector('[data-testid=menu-button]')).toBeNull();
  });

  it('should move the navigation, the email and sign-out into a menu on narrow screens', async () => {
    const { element, loader } = await render(true, []);
    expect(element.querySelector('nav')).toBeNull();
    expect(element.querySelector('[data-testid=logout]')).toBeNull();
    const menu = await loader.getHarness(MatMenuHarness);
    await menu.open();
    expect((await menu.getItems()).length).toBe(2);
    expect(await Promise.all((await menu.getItems()).map((item) => item.getText()))).toEqual(['devicesMy devices', 'logoutSign out']);
    expect(document.querySelector('[data-testid=signed-in-as]')?.textContent).toBe('ada@example.com');
  });

  it('should move focus to the main region when the skip link is followed, without navigating', async () => {
    const { element } = await render(false, []);
    const link = element.querySelector<HTMLAnchorElement>('.skip-link')!;
    const click = new MouseEvent('click', { bubbles: true, cancelable: true });
    link.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(element.querySelector('main'));
  });
});
