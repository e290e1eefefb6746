import { BadRequestException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { AuditFilter } from '../../audit/audit-event.repository.js';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../../audit/audit-event-type.js';
import { AUDIT_EXPORT_FORMATS, type AuditExportFormat } from '../../audit/audit-export.js';
import { EmptyAsAbsent, ToOptionalNumber } from './query-values.js';

const ISO = { strict: true, strictSeparator: true } as const;

/** The filters shared by the audit list and the export. */
export class AuditFilterQuery {
  @ApiPropertyOptional({ description: 'Events about this user (the subject).', format: 'uuid', example: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;

  @ApiPropertyOptional({ description: "Events about the user whose current email this is, exactly (case-insensitive); none when there is no such user.", example: 'ada@example.com' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ description: 'One event type.', enum: AUDIT_EVENT_TYPES, example: 'session_revoked' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsIn(AUDIT_EVENT_TYPES, { message: `type must be one of: ${AUDIT_EVENT_TYPES.join(', ')}` })
  type?: AuditEventType;

  @ApiPropertyOptional({ description: 'Events at or after this time (inclusive, ISO 8601).', example: '2026-01-01T00:00:00Z' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsISO8601(ISO, { message: 'from must be an ISO 8601 time such as 2026-01-01T00:00:00Z' })
  from?: string;

  @ApiPropertyOptional({ description: 'Events before this time (exclusive, ISO 8601).', example: '2026-02-01T00:00:00Z' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsISO8601(ISO, { message: 'to must be an ISO 8601 time such as 2026-02-01T00:00:00Z' })
  to?: string;
}

/** `GET /api/admin/audit`. */
export class AuditQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ description: 'Events per page.', example: 50, default: 50, minimum: 1, maximum: 200 })
  @ToOptionalNumber()
  @IsOptional()
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous page's nextCursor, unchanged.", example: 'eyJ2IjoxLCJiZWZvcmUiOiIxMjM0In0' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

/** `GET /api/admin/audit/export`. */
export class AuditExportQuery extends AuditFilterQuery {
  @ApiProperty({ description: 'csv (RFC 4180, with a header line) or ndjson (one AuditEvent per line).', enum: AUDIT_EXPORT_FORMATS, example: 'ndjson' })
  @IsIn(AUDIT_EXPORT_FORMATS, { message: 'format must be csv or ndjson' })
  format!: AuditExportFormat;
}

/** The repository filter the query describes; 400 when `from` is not before `to`. */
export function auditFilterOf(query: AuditFilterQuery): AuditFilter {
  const filter: AuditFilter = {};
  if (query.userId) filter.userId = query.userId.toLowerCase();
  if (query.type) filter.type = query.type;
  if (query.from) filter.from = new Date(query.from);
  if (query.to) filter.to = new Date(query.to);
  if (filter.from && filter.to && filter.from >= filter.to) {
    throw new BadRequestException({ statusCode: HttpStatus.BAD_REQUEST, message: 'from must be before to (from is inclusive, to exclusive)' });
  }
  return filter;
}
