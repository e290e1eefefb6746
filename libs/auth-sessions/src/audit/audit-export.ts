import type { AuditEventResponse } from './audit-event.response.js';

/** The export formats of `GET /api/admin/audit/export`. */
export const AUDIT_EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** Content type of each export format. */
export const AUDIT_EXPORT_CONTENT_TYPES: Record<AuditExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

const CSV_COLUMNS = [
  'id',
  'type',
  'at',
  'actorId',
  'actorEmail',
  'userId',
  'userEmail',
  'sessionId',
  'ip',
  'userAgent',
  'reason',
  'note',
  'metadata',
  'requestId',
] as const;

/** The first line of a CSV export. */
export const AUDIT_CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: quoted when needed, formula starts defused with a leading apostrophe. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One event as a CSV record (CRLF-terminated); line breaks inside fields stay quoted. */
export function toCsvRecord(event: AuditEventResponse): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string | null> = {
    id: event.id,
    type: event.type,
    at: event.at.toISOString(),
    actorId: event.actor?.id ?? null,
    actorEmail: event.actor?.email ?? null,
    userId: event.userId,
    // The target user's email as the host knows them now (the list's `user`), empty when unknown.
    userEmail: event.user?.email ?? null,
    sessionId: event.sessionId,
    ip: event.ip,
    userAgent: event.userAgent,
    reason: event.reason,
    note: event.note,
    metadata: JSON.stringify(event.metadata),
    requestId: event.requestId,
  };
  return `${CSV_COLUMNS.map((column) => csvField(values[column])).join(',')}\r\n`;
}

/** One event as an NDJSON line; JSON escapes every control character, so a line is always one event. */
export function toNdjsonLine(event: AuditEventResponse): string {
  return `${JSON.stringify(event)}\n`;
}
