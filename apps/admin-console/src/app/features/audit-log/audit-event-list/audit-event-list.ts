import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDatepickerModule } from '@angular/material/datepicker';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { PageHeader } from '../../../core/layout/page-header';
import { apiProblemOf, describeProblem } from '../../../core/http/api-error';
import { AppStorage } from '../../../core/storage/app-storage';
import { endReasonLabel } from '../../../shared/sessions/end-reason-text';
import { isSessionEndReason } from '../../../shared/sessions/session';
import { TimeAgo } from '../../../shared/time/time-ago';
import { AUDIT_EVENT_TYPES, EMPTY_AUDIT_FILTER, auditTypeLabel, type AuditFilter, type AuditPage } from '../audit-event';
import { auditExportUrl, auditListUrl } from '../audit-log-api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIMIT_KEY = 'admin.audit.limit';

/** /admin/audit: the audit log, filtered by type, user and dates, paged by cursor, exportable. */
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
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
    MatTooltipModule,
    PageHeader,
    TimeAgo,
  ],
  templateUrl: './audit-event-list.html',
  styleUrl: './audit-event-list.scss',
})
export class AuditEventList {
  private readonly storage = inject(AppStorage);
  protected readonly types = AUDIT_EVENT_TYPES;
  protected readonly typeLabel = auditTypeLabel;

  protected readonly form = new FormGroup({
    type: new FormControl('', { nonNullable: true }),
    userId: new FormControl('', { nonNullable: true, validators: [Validators.pattern(UUID)] }),
    fromDay: new FormControl<Date | null>(null),
    toDay: new FormControl<Date | null>(null),
  });

  /** The applied filter (the form is applied on submit). */
  protected readonly filter = signal<AuditFilter>(EMPTY_AUDIT_FILTER);
  protected readonly limit = signal(this.storage.read(LIMIT_KEY, 50));
  /** Cursors of the pages seen so far; the last one is the current page (undefined: the newest). */
  private readonly cursors = signal<readonly (string | undefined)[]>([undefined]);
  protected readonly pageNumber = computed(() => this.cursors().length);

  protected readonly events = httpResource<AuditPage>(() => auditListUrl(this.filter(), this.limit(), this.cursors().at(-1)));
  protected readonly rows = computed(() => (this.events.hasValue() ? this.events.value().items : []));
  protected readonly nextCursor = computed(() => (this.events.hasValue() ? this.events.value().nextCursor : null));
  protected readonly loadError = computed(() => {
    const error = this.events.error();
    return error ? describeProblem(apiProblemOf(error)) : null;
  });
  protected readonly csvUrl = computed(() => auditExportUrl(this.filter(), 'csv'));
  protected readonly ndjsonUrl = computed(() => auditExportUrl(this.filter(), 'ndjson'));
  protected readonly columns = ['at', 'type', 'actor', 'user', 'ip', 'userAgent', 'details'];

  protected apply(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    this.filter.set({ type: value.type, userId: value.userId.trim(), fromDay: value.fromDay, toDay: value.toDay });
    this.cursors.set([undefined]);
  }

  protected clear(): void {
    this.form.reset();
    this.apply();
  }

  protected older(): void {
    const next = this.nextCursor();
    if (next) this.cursors.update((cursors) => [...cursors, next]);
  }

  protected newer(): void {
    this.cursors.update((cursors) => (cursors.length > 1 ? cursors.slice(0, -1) : cursors));
  }

  protected setLimit(limit: number): void {
    this.limit.set(limit);
    this.storage.write(LIMIT_KEY, limit);
    this.cursors.set([undefined]);
  }

  protected reasonText(reason: string | null): string {
    return isSessionEndReason(reason) ? endReasonLabel(reason) : (reason ?? '');
  }
}
