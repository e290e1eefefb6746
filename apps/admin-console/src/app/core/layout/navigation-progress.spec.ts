import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, RouterOutlet } from '@angular/router';
import { provideConsoleTesting } from '../../../testing/testing-providers';
import { NavigationProgress } from './navigation-progress';

@Component({ template: 'page' })
class Page {}

@Component({ imports: [RouterOutlet, NavigationProgress], template: '<app-navigation-progress /><router-outlet />' })
class Host {}

describe('NavigationProgress', () => {
  it('should show a progress bar while a navigation is pending, and remove it when the page arrives', async () => {
    let release!: () => void;
    const slow = new Promise<boolean>((resolve) => (release = () => resolve(true)));
    TestBed.configureTestingModule({
      providers: [provideConsoleTesting([{ path: 'slow', component: Page, canActivate: [() => slow] }])],
    });
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('[data-testid=navigation-progress]')).toBeNull();

    const navigation = TestBed.inject(Router).navigateByUrl('/slow');
    await vi.waitFor(() => {
      fixture.detectChanges();
      expect(element.querySelector('[data-testid=navigation-progress]')?.getAttribute('aria-label')).toBe('Loading the page');
    });
    release();
    await navigation;
    fixture.detectChanges();
    expect(element.querySelector('[data-testid=navigation-progress]')).toBeNull();
    expect(element.textContent).toContain('page');
  });
});
