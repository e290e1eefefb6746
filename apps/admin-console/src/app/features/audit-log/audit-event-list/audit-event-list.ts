import { Location } from '@angular/common';
import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDatepickerModule } from '@angular/material/datepicker';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink } from '@angular/router';
import { LoadStatus } from '../../../core/http/load-status';
import { PageHeader } from '../../../core/layout/page-header';
import { AppStorage } from '../../../core/storage/app-storage';
import { emailAddress } from '../../../shared/forms/email-address';
import { endReasonLabel } from '../../../shared/sessions/end-reason-text';
import { isSessionEndReason } from '../../../shared/sessions/session';
import { TimeAgo } from '../../../shared/time/time-ago';
import { AUDIT_EVENT_TYPES, auditTypeLabel, foldAdminReads, type AuditFilter, type AuditPage, type AuditRow } from '../audit-event';
import { auditExportUrl, auditListUrl, dayFromText, dayToText } from '../audit-log-api';

const LIMIT_KEY = 'admin.audit.limit';
/** The history entry's key for the cursors walked through (see `trail`). */
const TRAIL_STATE = 'auditTrail';
const LIMITS = [25, 50, 100, 200];

/**
 * /admin/audit?type=&email=&userId=&from=&to=&limit=&cursor=&reads=: the audit log, filtered by type,
 * user (by email) and dates, paged by cursor, exportable. Filters and the page live in the URL, so a
 * reload, a shared link or Back shows the same events. Admin reads are folded unless `reads=shown`.
 */
@Component({
  selector: 'app-audit-event-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatDatepickerModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    MatSlideToggleModule,
    MatTableModule,
    MatTooltipModule,
    RouterLink,
    PageHeader,
    LoadStatus,
    TimeAgo,
  ],
  templateUrl: './audit-event-list.html',
  styleUrl: './audit-event-list.scss',
})
export class AuditEventList {
  private readonly storage = inject(AppStorage);
  private readonly router = inject(Router);
  private readonly location = inject(Location);
  protected readonly types = AUDIT_EVENT_TYPES;
  protected readonly typeLabel = auditTypeLabel;
  protected readonly limits = LIMITS;

  /** Query parameters, bound by the router. */
  readonly type = input<string>();
  readonly email = input<string>();
  readonly userId = input<string>();
  readonly from = input<string>();
  readonly to = input<string>();
  readonly limit = input<string>();
  readonly cursor = input<string>();
  readonly reads = input<string>();

  protected readonly form = new FormGroup({
    type: new FormControl('', { nonNullable: true }),
    email: new FormControl('', { nonNullable: true, validators: [emailAddress] }),
    fromDay: new FormControl<Date | null>(null),
    toDay: new FormControl<Date | null>(null),
  });

  /** The applied filter: the URL's. */
  protected readonly filter = computed<AuditFilter>(() => ({
    type: (AUDIT_EVENT_TYPES as readonly string[]).includes(this.type() ?? '') ? this.type()! : '',
    email: this.email() ?? '',
    userId: this.userId() ?? '',
    fromDay: dayFromText(this.from() ?? '') ? this.from()! : '',
    toDay: dayFromText(this.to() ?? '') ? this.to()! : '',
  }));
  protected readonly pageLimit = computed(() => {
    const fromUrl = Number(this.limit());
    return LIMITS.includes(fromUrl) ? fromUrl : this.storage.read(LIMIT_KEY, 50);
  });
  protected readonly showReads = computed(() => this.reads() === 'shown');

  /**
   * The cursors of pages 2, 3… walked through with Older, kept in the history entry of each page, so
   * Back, Forward and a reload still number the page and find the newer one. Read again whenever the
   * URL's cursor changes (the router writes the entry before it sets the inputs).
   */
  private readonly trail = computed(() => {
    this.cursor();
    return trailOf(this.location.getState());
  });
  /** 1 for the newest page; null for a cursor this visit did not walk to (a shared link): its number is unknown. */
  protected readonly pageNumber = computed(() => {
    const cursor = this.cursor();
    if (!cursor) return 1;
    const position = this.trail().indexOf(cursor);
    return position === -1 ? null : position + 2;
  });

  protected readonly events = httpResource<AuditPage>(() => auditListUrl(this.filter(), this.pageLimit(), this.cursor() || undefined));
  private readonly expanded = signal<ReadonlySet<string>>(new Set());
  protected readonly rows = computed<AuditRow[]>(() =>
    foldAdminReads(this.events.hasValue() ? this.events.value().items : [], this.showReads(), this.expanded()),
  );
  protected readonly nextCursor = computed(() => (this.events.hasValue() ? this.events.value().nextCursor : null));
  protected readonly csvUrl = computed(() => auditExportUrl(this.filter(), 'csv'));
  protected readonly ndjsonUrl = computed(() => auditExportUrl(this.filter(), 'ndjson'));
  protected readonly columns = ['at', 'type', 'actor', 'user', 'ip', 'userAgent', 'details'];
  protected readonly isEvent = (_index: number, row: AuditRow) => row.kind === 'event';
  protected readonly isFolded = (_index: number, row: AuditRow) => row.kind === 'reads';

  constructor() {
    // The form shows the applied (URL) filter, also after Back or a reload.
    effect(() => {
      const filter = this.filter();
      this.form.setValue({ type: filter.type, email: filter.email, fromDay: dayFromText(filter.fromDay), toDay: dayFromText(filter.toDay) });
    });
  }

  protected apply(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    this.navigate({
      type: value.type || null,
      email: value.email.trim() || null,
      from: dayToText(value.fromDay) || null,
      to: dayToText(value.toDay) || null,
      cursor: null,
    });
  }

  protected clear(): void {
    this.navigate({ type: null, email: null, userId: null, from: null, to: null, cursor: null });
  }

  protected clearUser(): void {
    this.navigate({ userId: null, cursor: null });
  }

  protected older(): void {
    const next = this.nextCursor();
    const page = this.pageNumber();
    if (!next) return;
    // The pages newer than this one, then the next; from a page of unknown number, nothing is numbered.
    const trail = page === null ? this.trail() : [...this.trail().slice(0, page - 1), next];
    this.navigate({ cursor: next }, { trail });
  }

  /** The page before this one in the trail, or the newest page when this one's place is unknown. */
  protected newer(): void {
    const page = this.pageNumber();
    this.navigate({ cursor: page !== null && page > 2 ? this.trail()[page - 3] : null });
  }

  protected setLimit(limit: number): void {
    this.storage.write(LIMIT_KEY, limit);
    this.navigate({ limit, cursor: null });
  }

  protected setShowReads(shown: boolean): void {
    this.navigate({ reads: shown ? 'shown' : null }, { replaceUrl: true });
  }

  protected expand(key: string): void {
    this.expanded.update((keys) => new Set(keys).add(key));
  }

  protected readsSummary(row: AuditRow): string {
    if (row.kind !== 'reads') return '';
    const who = [...new Set(row.events.map((event) => event.actor?.email).filter(Boolean))].join(', ');
    return `${row.events.length} admin ${row.events.length === 1 ? 'read' : 'reads'} (sessions viewed, audit log read)${who ? ` by ${who}` : ''}`;
  }

  protected reasonText(reason: string | null): string {
    return isSessionEndReason(reason) ? endReasonLabel(reason) : (reason ?? '');
  }

  /** Merges into the URL's query; the trail goes with the new history entry (this page's, unless said otherwise). */
  private navigate(queryParams: Record<string, string | number | null>, options: { replaceUrl?: boolean; trail?: readonly string[] } = {}): void {
    const trail = queryParams['cursor'] === null ? [] : (options.trail ?? this.trail());
    void this.router.navigate([], { queryParams, queryParamsHandling: 'merge', replaceUrl: options.replaceUrl, state: { [TRAIL_STATE]: trail } });
  }
}

function trailOf(state: unknown): readonly string[] {
  const trail: unknown = state && typeof state === 'object' ? (state as Record<string, unknown>)[TRAIL_STATE] : undefined;
  return Array.isArray(trail) && trail.every((cursor) => typeof cursor === 'string') ? trail : [];
}
