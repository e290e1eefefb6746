import { BadRequestException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { AuditFilter } from '../../audit/audit-event.repository.js';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../../audit/audit-event-type.js';
import { AUDIT_EXPORT_FORMATS, type AuditExportFormat } from '../../audit/audit-export.js';
import { DATE_TIME_SCHEMA, IsDateTime, Omittable } from '../../common/validation.js';
import { EmptyAsAbsent, ToOptionalNumber } from './query-values.js';

/** The filters shared by the audit list and the export. */
export class AuditFilterQuery {
  @ApiPropertyOptional({ description: 'Events about this user (the subject).', format: 'uuid', example: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f' })
  @Omittable()
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;

  @ApiPropertyOptional({
    description: 'Events about the user whose current email this is, exactly (case-insensitive); none when there is no such user.',
    example: 'ada@example.com',
  })
  @EmptyAsAbsent()
  @Omittable()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ description: 'One event type.', enum: AUDIT_EVENT_TYPES, example: 'session_revoked' })
  @Omittable()
  @IsIn(AUDIT_EVENT_TYPES, { message: `type must be one of: ${AUDIT_EVENT_TYPES.join(', ')}` })
  type?: AuditEventType;

  @ApiPropertyOptional({ ...DATE_TIME_SCHEMA, description: 'Events at or after this time (inclusive).', example: '2026-01-01T00:00:00Z' })
  @Omittable()
  @IsDateTime('from')
  from?: string;

  @ApiPropertyOptional({ ...DATE_TIME_SCHEMA, description: 'Events before this time (exclusive).', example: '2026-02-01T00:00:00Z' })
  @Omittable()
  @IsDateTime('to')
  to?: string;
}

/** `GET /api/admin/audit`. */
export class AuditQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ type: 'integer', description: 'Events per page.', example: 50, default: 50, minimum: 1, maximum: 200 })
  @ToOptionalNumber()
  @Omittable()
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous page's nextCursor, unchanged.", example: 'eyJ2IjoxLCJiZWZvcmUiOiIxMjM0In0', maxLength: 200 })
  @Omittable()
  @IsString()
  @IsNotEmpty({ message: "cursor must be the previous page's nextCursor, unchanged" })
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
