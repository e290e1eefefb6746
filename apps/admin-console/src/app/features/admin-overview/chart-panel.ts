import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { ChartConfiguration, ChartType } from 'chart.js';
import { BaseChartDirective } from 'ng2-charts';

/**
 * One chart of the overview: a captioned figure with the chart drawn on a canvas and, projected below
 * it, the numbers behind it (a table, open or behind a disclosure) for screen readers and exact values.
 * Give the host `class="wide"` to span the grid's width.
 */
@Component({
  selector: 'app-chart-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [BaseChartDirective],
  template: `
    <figure>
      <figcaption>{{ caption() }}</figcaption>
      <div class="chart" [class.tall]="tall()">
        <canvas baseChart [type]="config().type" [data]="config().data" [options]="config().options" role="img" [attr.aria-label]="label()"></canvas>
      </div>
      <ng-content />
    </figure>
  `,
  styles: `
    :host {
      display: block;
      min-width: 0;
      padding: 16px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: 12px;
    }
    :host(.wide) {
      grid-column: 1 / -1;
    }
    figure {
      margin: 0;
    }
    figcaption {
      margin: 0 0 8px;
      font: var(--mat-sys-title-medium);
    }
    .chart {
      position: relative;
      height: 240px;
      &.tall {
        height: 300px;
      }
    }
    @media (max-width: 767.98px) {
      .chart {
        height: 220px;
      }
    }
  `,
})
export class ChartPanel {
  readonly caption = input.required<string>();
  readonly config = input.required<ChartConfiguration<ChartType>>();
  /** What the chart shows, for screen readers (the canvas is an image to them). */
  readonly label = input.required<string>();
  readonly tall = input(false);
}
