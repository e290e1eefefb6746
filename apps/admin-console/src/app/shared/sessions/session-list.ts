import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatIconModule } from '@angular/material/icon';
import { TimeAgo } from '../time/time-ago';
import { formatDateTime } from '../time/date-text';
import { groupByDevice } from './device-groups';
import { browserIcon, deviceIcon, deviceName } from './device-icons';
import type { Session } from './session';
import { SsoBadge } from './sso-badge';

/**
 * Active sessions grouped by device (same browser and OS family), each sign-in with when it started,
 * where from and its actions, the raw user agent behind a disclosure. One list for both device pages:
 * `self` (the user's own: sign out, "This wasn't me") and `admin` (select, revoke). Below 600 px each
 * device is a card whose sign-ins stack their actions under their facts, next to the device name.
 * Every string here may come from an attacker's user agent: it is only ever interpolated as text.
 */
@Component({
  selector: 'app-session-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatCheckboxModule, MatIconModule, SsoBadge, TimeAgo],
  templateUrl: './session-list.html',
  styleUrl: './session-list.scss',
})
export class SessionList {
  readonly sessions = input.required<readonly Session[]>();
  readonly mode = input<'self' | 'admin'>('self');
  /** Sessions with an action in flight: their buttons are disabled. */
  readonly busy = input<ReadonlySet<string>>(new Set());
  /** Admin mode: the selected session ids. */
  readonly selected = input<ReadonlySet<string>>(new Set());
  readonly emptyText = input('No active sessions.');
  /** Sign out (self) or revoke (admin) one session. */
  readonly revoke = output<Session>();
  /** "This wasn't me" (self). */
  readonly notMe = output<Session>();
  /** A session's checkbox changed (admin). */
  readonly selectionToggled = output<Session>();

  protected readonly groups = computed(() => groupByDevice(this.sessions()));
  protected readonly name = (session: Session) => deviceName(session.device);
  protected readonly signedIn = (session: Session) => formatDateTime(session.createdAt);
  protected readonly deviceIcon = (session: Session) => deviceIcon(session.device);
  protected readonly browserIcon = (session: Session) => browserIcon(session.device);
}
