import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import { LoadStatus } from '../../core/http/load-status';
import { PageHeader } from '../../core/layout/page-header';
import { endReasonLabel } from '../../shared/sessions/end-reason-text';
import { deviceTypeLabel } from '../../shared/sessions/device-icons';
import { isSessionEndReason } from '../../shared/sessions/session';
import { TimeAgo } from '../../shared/time/time-ago';
import { auditTypeLabel } from '../audit-log/audit-event';
import { ChartPanel } from './chart-panel';
import { activeChart, dayLabel, deviceTypeChart, placeChart, reasonsIn, signInsAndOutsChart, type Overview } from './overview-charts';
import { api } from '../../core/http/api-base';

/**
 * /admin/overview, where admins land: sessions now and over 30 days, sign-ins and sign-outs per day by
 * reason, devices, places and the latest revocations, from one `GET /api/admin/overview`. Each chart has
 * its numbers in a table behind a disclosure, for screen readers and for exact values.
 */
/** Places the server names without a geolocation database (private addresses, none known, the rest). */
const SERVER_PLACES = new Set(['Local network', 'Unknown', 'Other']);

@Component({
  selector: 'app-admin-overview',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule, MatTableModule, RouterLink, ChartPanel, PageHeader, LoadStatus, TimeAgo],
  templateUrl: './admin-overview.html',
  styleUrl: './admin-overview.scss',
})
export class AdminOverview {
  protected readonly overview = httpResource<Overview>(() => api('/admin/overview'));
  protected readonly data = computed(() => (this.overview.hasValue() ? this.overview.value() : null));
  protected readonly today = computed(() => this.data()?.days.at(-1) ?? null);
  /** Whether any place came from the geolocation database (which the credit names), not just the buckets the server fills in itself. */
  protected readonly hasPlaces = computed(() => (this.data()?.byPlace ?? []).some((entry) => !SERVER_PLACES.has(entry.place)));
  protected readonly signOutsToday = computed(() => Object.values(this.today()?.signOuts ?? {}).reduce((sum, value) => sum + (value ?? 0), 0));
  protected readonly charts = computed(() => {
    const data = this.data();
    return data
      ? { active: activeChart(data), signs: signInsAndOutsChart(data), devices: deviceTypeChart(data), places: placeChart(data), reasons: reasonsIn(data) }
      : null;
  });
  protected readonly dayLabel = dayLabel;
  protected readonly typeLabel = deviceTypeLabel;
  protected readonly eventLabel = auditTypeLabel;
  protected readonly revocationColumns = ['at', 'what', 'user', 'by', 'note'];

  protected reasonLabel(reason: string | null): string {
    return isSessionEndReason(reason) ? endReasonLabel(reason) : (reason ?? '');
  }

  protected reasonTotal(days: Overview['days'], reason: string): number {
    return days.reduce((sum, day) => sum + ((day.signOuts as Record<string, number | undefined>)[reason] ?? 0), 0);
  }

  protected total(values: Record<string, number | undefined>): number {
    return Object.values(values).reduce<number>((sum, value) => sum + (value ?? 0), 0);
  }
}
