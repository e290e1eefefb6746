import { Injectable, type Provider } from '@angular/core';
import { DateAdapter, NativeDateAdapter, provideNativeDateAdapter } from '@angular/material/core';
import { dayFromText } from './audit-log-api';

/**
 * Material's native adapter, but a typed `YYYY-MM-DD` is that day where the admin is. The native
 * adapter hands the text to `Date.parse`, which reads a date-only ISO string as midnight UTC: west of
 * Greenwich that is the evening before, so "2026-03-01" filtered from February 28.
 */
@Injectable()
export class DayDateAdapter extends NativeDateAdapter {
  override parse(value: unknown, parseFormat?: object): Date | null {
    if (typeof value === 'string') {
      const text = value.trim();
      if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return dayFromText(text) ?? this.invalid();
    }
    return super.parse(value, parseFormat);
  }
}

/** The date pickers' adapter and formats for the audit log's date filter. */
export function provideDayDateAdapter(): Provider[] {
  return [provideNativeDateAdapter(), { provide: DateAdapter, useClass: DayDateAdapter }];
}
