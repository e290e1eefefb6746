import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import { browserIcon, deviceIcon, deviceName, deviceTypeLabel } from './device-icons';
import { SsoBadge } from './sso-badge';
import type { Session } from './session';

/**
 * A device's browser, OS and type, with icons. Every string here comes from a user agent the client chose,
 * so it is only ever interpolated as text (DEV-05), never bound to innerHTML or a URL.
 */
@Component({
  selector: 'app-device-summary',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatIconModule, MatTooltipModule, SsoBadge],
  template: `
    <mat-icon class="device-icon" aria-hidden="true">{{ icon() }}</mat-icon>
    <span class="text">
      <span class="name">
        <mat-icon class="browser-icon" aria-hidden="true" inline>{{ browser() }}</mat-icon>
        <span data-testid="device-name">{{ name() }}</span>
        @if (session().current) {
          <span class="this-device" data-testid="this-device">This device</span>
        }
        <app-sso-badge [session]="session()" />
      </span>
      <span class="details">
        {{ typeLabel() }}
        @if (showUserAgent()) {
          · <span class="user-agent" data-testid="user-agent" [matTooltip]="session().userAgent">{{ session().userAgent }}</span>
        }
      </span>
    </span>
  `,
  styles: `
    :host {
      display: flex;
      align-items: center;
      gap: 12px;
      min-width: 0;
    }
    .device-icon {
      flex: none;
      color: var(--mat-sys-primary);
    }
    .text {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .name {
      display: flex;
      align-items: center;
      gap: 6px;
      font-weight: 500;
    }
    .browser-icon {
      color: var(--mat-sys-on-surface-variant);
    }
    .this-device {
      padding: 1px 8px;
      border-radius: 10px;
      background: var(--mat-sys-primary-container);
      color: var(--mat-sys-on-primary-container);
      font-size: 12px;
      font-weight: 500;
    }
    .details {
      color: var(--mat-sys-on-surface-variant);
      font-size: 13px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      max-width: 420px;
    }
  `,
})
export class DeviceSummary {
  readonly session = input.required<Session>();
  /** Show the raw user agent too (it is what the user or admin recognises when the parsed names are empty). */
  readonly showUserAgent = input(true);

  protected readonly icon = computed(() => deviceIcon(this.session().device));
  protected readonly browser = computed(() => browserIcon(this.session().device));
  protected readonly name = computed(() => deviceName(this.session().device));
  protected readonly typeLabel = computed(() => deviceTypeLabel(this.session().device.type));
}
