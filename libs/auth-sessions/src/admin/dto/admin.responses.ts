import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_EVENT_TYPES } from '../../audit/audit-event-type.js';
import { SESSION_END_REASONS } from '../../common/session-end-reason.js';
import type { AdminUserShape } from '../admin-user.shape.js';

// Response shapes for the OpenAPI document; the services return plain objects of the same shape.
// The session shapes the admin endpoints share with the end-user ones live in common/dto.
export { DeviceDto, PersonDto, RevokedDto, SessionDto, SessionListDto } from '../../common/dto/api.responses.js';

export class AdminUserDto implements AdminUserShape<Date> {
  @ApiProperty({ format: 'uuid', example: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: 'array', items: { type: 'string' }, example: ['admin'] })
  roles!: string[];

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Sessions active now.', example: 2 })
  activeSessions!: number;

  @ApiProperty({
    description: "Latest activity of any of the user's sessions; null when the user never signed in.",
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-03-01T09:30:00.000Z',
  })
  lastActiveAt!: Date | null;
}

export class AdminUsersPageDto {
  @ApiProperty({ type: [AdminUserDto] })
  items!: AdminUserDto[];

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Users matching the search, on all pages.', example: 137 })
  total!: number;

  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  page!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100, example: 20 })
  pageSize!: number;
}

export class FilterRevocationDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: "Active sessions matching the filter (never the caller's own).", example: 12 })
  matched!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Sessions ended (0 on a dry run).', example: 12 })
  revoked!: number;
}

export class AuditActorDto {
  @ApiProperty({ format: 'uuid', example: '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d' })
  id!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Their email when the event was written.', example: 'admin@example.com' })
  email!: string | null;
}

/** A user as the host knows them now. */
export class AuditUserDto {
  @ApiProperty({ format: 'uuid', example: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f' })
  id!: string;

  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  email!: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' })
  id!: string;

  @ApiProperty({ enum: AUDIT_EVENT_TYPES, example: 'session_revoked' })
  type!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T09:45:00.000Z' })
  at!: Date;

  @ApiProperty({ type: AuditActorDto, nullable: true, description: 'Who acted; null for the system (jobs).' })
  actor!: AuditActorDto | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The user the event is about.', example: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f' })
  userId!: string | null;

  @ApiProperty({ type: AuditUserDto, nullable: true, description: 'The user the event is about, as the host knows them now; null when there is none.' })
  user!: AuditUserDto | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: '3f0e5c1a-8b2d-4c4e-9a51-0d5b7c2e9f10' })
  sessionId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' })
  userAgent!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    enum: SESSION_END_REASONS,
    description: "Always one of the contract's reason codes.",
    example: 'revoked_by_admin',
  })
  reason!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "An admin's free text.", example: 'Laptop reported stolen (ticket 4711)' })
  note!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { count: 3 } })
  metadata!: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true, description: 'The X-Request-Id of the request that wrote it.', example: '9b2f4c1e-0d3a-4e5b-8f6a-7b8c9d0e1f2a' })
  requestId!: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] })
  items!: AuditEventDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next (older) page; null on the last page.',
    example: 'eyJ2IjoxLCJiZWZvcmUiOiIxMjM0In0',
  })
  nextCursor!: string | null;
}
