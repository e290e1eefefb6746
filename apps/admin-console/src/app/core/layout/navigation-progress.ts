import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';

/**
 * A thin bar at the top while the router is between pages (a lazy chunk loading, a guard asking the
 * server). It fades in after a moment, so quick navigations do not flash it.
 */
@Component({
  selector: 'app-navigation-progress',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatProgressBarModule],
  template: `
    @if (navigating()) {
      <mat-progress-bar mode="indeterminate" aria-label="Loading the page" data-testid="navigation-progress" />
    }
  `,
  styles: `
    :host {
      position: fixed;
      inset: 0 0 auto 0;
      z-index: 1000;
      pointer-events: none;
    }
    mat-progress-bar {
      opacity: 0;
      animation: appear 0s linear 120ms forwards;
    }
    @keyframes appear {
      to {
        opacity: 1;
      }
    }
  `,
})
export class NavigationProgress {
  private readonly router = inject(Router);
  protected readonly navigating = computed(() => this.router.currentNavigation() !== null);
}
