import { HttpParams } from '@angular/common/http';
import type { AuditFilter } from './audit-event';
import { api } from '../../core/http/api-base';

/** Query parameters shared by the list and the export. */
export function auditParams(filter: AuditFilter): HttpParams {
  let params = new HttpParams();
  if (filter.type) params = params.set('type', filter.type);
  if (filter.email.trim()) params = params.set('email', filter.email.trim());
  if (filter.userId.trim()) params = params.set('userId', filter.userId.trim());
  const from = dayStart(filter.fromDay);
  if (from) params = params.set('from', from.toISOString());
  const to = dayStart(filter.toDay);
  if (to) {
    to.setDate(to.getDate() + 1);
    params = params.set('to', to.toISOString());
  }
  return params;
}

export function auditListUrl(filter: AuditFilter, limit: number, cursor: string | undefined): string {
  let params = auditParams(filter).set('limit', limit);
  if (cursor) params = params.set('cursor', cursor);
  return api(`/admin/audit?${params.toString()}`);
}

export function auditExportUrl(filter: AuditFilter, format: 'csv' | 'ndjson'): string {
  return api(`/admin/audit/export?${auditParams(filter).set('format', format).toString()}`);
}

/** `YYYY-MM-DD` as a local Date, for the date pickers and the URL. */
export function dayFromText(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  // A day that is not in its month (2026-02-30) is no day, not the one it would roll over to.
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

export function dayToText(day: Date | null): string {
  if (!day) return '';
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function dayStart(text: string): Date | null {
  return dayFromText(text);
}
