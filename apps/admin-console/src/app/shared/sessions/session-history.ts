import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatTableModule } from '@angular/material/table';
import { TimeAgo } from '../time/time-ago';
import { DeviceSummary } from './device-summary';
import { endReasonLabel } from './end-reason-text';
import type { Session } from './session';

/** Ended sessions with when and why they ended (and which administrator ended them). */
@Component({
  selector: 'app-session-history',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTableModule, DeviceSummary, TimeAgo],
  template: `
    @if (sessions().length === 0) {
      <p class="empty">No sessions ended in the last 30 days.</p>
    } @else {
      <table mat-table [dataSource]="sessions()" class="history" aria-label="Ended sessions">
        <ng-container matColumnDef="device">
          <th mat-header-cell *matHeaderCellDef>Device</th>
          <td mat-cell *matCellDef="let session"><app-device-summary [session]="session" /></td>
        </ng-container>
        <ng-container matColumnDef="ip">
          <th mat-header-cell *matHeaderCellDef>IP address</th>
          <td mat-cell *matCellDef="let session">
            <span class="ip">{{ session.ip }}</span>
            @if (session.location) {
              <div class="place">{{ session.location }}</div>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="ended">
          <th mat-header-cell *matHeaderCellDef>Ended</th>
          <td mat-cell *matCellDef="let session"><app-time-ago [value]="session.endedAt" /></td>
        </ng-container>
        <ng-container matColumnDef="reason">
          <th mat-header-cell *matHeaderCellDef>Reason</th>
          <td mat-cell *matCellDef="let session" data-testid="end-reason">
            {{ reasonLabel(session.endReason) }}
            @if (session.endedBy && session.endReason === 'revoked_by_admin') {
              <div class="by">by {{ session.endedBy.email }}</div>
            }
          </td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let row; columns: columns"></tr>
      </table>
    }
  `,
  styles: `
    .history {
      width: 100%;
    }
    .empty,
    .place,
    .by {
      color: var(--mat-sys-on-surface-variant);
    }
    .ip {
      font-family: ui-monospace, monospace;
    }
  `,
})
export class SessionHistory {
  readonly sessions = input.required<readonly Session[]>();
  protected readonly columns = ['device', 'ip', 'ended', 'reason'];
  protected reasonLabel(reason: Session['endReason']): string {
    return endReasonLabel(reason);
  }
}
