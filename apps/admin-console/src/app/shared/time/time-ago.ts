import { booleanAttribute, ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Clock } from './clock';
import { formatExact, formatRelative } from './relative-time';

/**
 * A relative time ("Last active 3 minutes ago") whose exact time shows on hover and focus; with
 * `exact`, the exact time is the text and the relative time a muted line under it (where the exact
 * moment is what is read, as in the audit log, and a tooltip would hide it on a phone).
 */
@Component({
  selector: 'app-time-ago',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTooltipModule],
  template: `@if (date(); as time) {
    @if (exact()) {
      <time [attr.datetime]="time.toISOString()" class="exact">{{ exactText() }}</time>
      <span class="relative"> {{ relativeText() }}</span>
    } @else {
      <time [attr.datetime]="time.toISOString()" [matTooltip]="exactText()" tabindex="0">{{ prefix() ? prefix() + ' ' : '' }}{{ relativeText() }}</time>
    }
  }`,
  styles: `
    time:not(.exact) {
      text-decoration: underline dotted;
      text-underline-offset: 3px;
      cursor: help;
    }
    .relative {
      display: block;
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-body-small);
    }
  `,
})
export class TimeAgo {
  private readonly clock = inject(Clock);
  readonly value = input.required<string | Date | null | undefined>();
  readonly prefix = input('');
  /** Show the exact time as the text (see above). */
  readonly exact = input(false, { transform: booleanAttribute });

  protected readonly date = computed(() => {
    const value = this.value();
    if (!value) return null;
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  });
  protected readonly relativeText = computed(() => {
    const date = this.date();
    return date ? formatRelative(date, this.clock.now()) : '';
  });
  protected readonly exactText = computed(() => {
    const date = this.date();
    return date ? formatExact(date) : '';
  });
}
