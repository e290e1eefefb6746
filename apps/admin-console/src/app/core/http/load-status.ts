import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { loadProblem, type Loadable } from './load-problem';

/** The loading bar and the "could not load, try again" line every page shows above its data. */
@Component({
  selector: 'app-load-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatProgressBarModule],
  template: `
    @if (resource().isLoading()) {
      <mat-progress-bar mode="indeterminate" [attr.aria-label]="label()" />
    }
    @if (problem(); as message) {
      <p class="error" role="alert">
        {{ message }}
        <button matButton type="button" (click)="resource().reload()">Try again</button>
      </p>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .error {
      color: var(--mat-sys-error);
    }
  `,
})
export class LoadStatus {
  readonly resource = input.required<Loadable>();
  /** What is loading, for screen readers ("Loading devices"). */
  readonly label = input('Loading');
  protected readonly problem = computed(() => loadProblem(this.resource())());
}
