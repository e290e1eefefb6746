import { HttpParams } from '@angular/common/http';
import type { AuditFilter } from './audit-event';

/** Query parameters shared by the list and the export. */
export function auditParams(filter: AuditFilter): HttpParams {
  let params = new HttpParams();
  if (filter.type) params = params.set('type', filter.type);
  if (filter.userId.trim()) params = params.set('userId', filter.userId.trim());
  if (filter.fromDay) params = params.set('from', startOfDay(filter.fromDay).toISOString());
  if (filter.toDay) {
    const end = startOfDay(filter.toDay);
    end.setDate(end.getDate() + 1);
    params = params.set('to', end.toISOString());
  }
  return params;
}

export function auditListUrl(filter: AuditFilter, limit: number, cursor: string | undefined): string {
  let params = auditParams(filter).set('limit', limit);
  if (cursor) params = params.set('cursor', cursor);
  return `/api/admin/audit?${params.toString()}`;
}

export function auditExportUrl(filter: AuditFilter, format: 'csv' | 'ndjson'): string {
  return `/api/admin/audit/export?${auditParams(filter).set('format', format).toString()}`;
}

function startOfDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate());
}
