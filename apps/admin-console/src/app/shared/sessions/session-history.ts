import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { TimeAgo } from '../time/time-ago';
import { formatDateTime } from '../time/date-text';
import { groupByDevice } from './device-groups';
import { deviceIcon, deviceName } from './device-icons';
import { endReasonLabel } from './end-reason-text';
import type { Session } from './session';

/**
 * Ended sessions, collapsed by device: one line per device (how many sign-ins ended, the latest and
 * why); opening it lists each sign-in with when it started and ended, why, and by which administrator.
 */
@Component({
  selector: 'app-session-history',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatIconModule, TimeAgo],
  template: `
    @for (group of groups(); track group.key) {
      <details class="device" data-testid="ended-group">
        <summary>
          <mat-icon class="device-icon" aria-hidden="true">{{ icon(group.sessions[0]!) }}</mat-icon>
          <span class="title">
            <span class="name">{{ group.name }}</span>
            <span class="muted">
              {{ group.sessions.length }} {{ group.sessions.length === 1 ? 'sign-in' : 'sign-ins' }} ended · latest
              <app-time-ago [value]="group.sessions[0]!.endedAt" />: {{ reasonLabel(group.sessions[0]!) }}
            </span>
          </span>
        </summary>
        <ul>
          @for (session of group.sessions; track session.id) {
            <li data-testid="ended-session">
              <span class="name">{{ name(session) }}</span>
              <span class="muted">Signed in {{ date(session.createdAt) }} · ended <app-time-ago [value]="session.endedAt" /></span>
              <span data-testid="end-reason">
                {{ reasonLabel(session) }}
                @if (session.endedBy && session.endReason === 'revoked_by_admin') {
                  <span class="muted">by {{ session.endedBy.email }}</span>
                }
              </span>
              <span class="muted"
                ><span class="ip">{{ session.ip }}</span>
                @if (session.location) {
                  · {{ session.location }}
                }
              </span>
            </li>
          }
        </ul>
      </details>
    } @empty {
      <p class="muted">No sessions ended in the last 30 days.</p>
    }
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
    .device {
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: 12px;
      overflow-wrap: anywhere;
    }
    summary {
      display: flex;
      align-items: center;
      gap: 12px;
      padding: 12px 16px;
      cursor: pointer;
    }
    .device-icon {
      flex: none;
      color: var(--mat-sys-on-surface-variant);
    }
    .title {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .name {
      font-weight: 500;
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
      font-size: 14px;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0 16px 8px 52px;
    }
    li {
      display: flex;
      flex-direction: column;
      gap: 2px;
      padding: 8px 0;
      border-top: 1px solid var(--mat-sys-outline-variant);
    }
    .ip {
      font-family: ui-monospace, monospace;
    }
    @media (max-width: 599.98px) {
      ul {
        padding-left: 16px;
      }
    }
  `,
})
export class SessionHistory {
  readonly sessions = input.required<readonly Session[]>();
  protected readonly groups = computed(() => groupByDevice(this.sessions()));
  protected readonly icon = (session: Session) => deviceIcon(session.device);
  protected readonly name = (session: Session) => deviceName(session.device);
  protected readonly date = (value: string) => formatDateTime(value);
  protected readonly reasonLabel = (session: Session) => endReasonLabel(session.endReason);
}
