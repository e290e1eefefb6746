import { ApiProperty } from '@nestjs/swagger';
import { SESSION_END_REASONS } from '../../common/session-end-reason.js';
import type { AdminOverviewShape, OverviewRevocationShape } from '../admin-overview.shape.js';
import { PersonDto } from './admin.responses.js';

// The OpenAPI description of GET /api/admin/overview; each class implements the plain shape, so the two cannot drift.

type Day = AdminOverviewShape<Date>['days'][number];

export class OverviewDayDto implements Day {
  @ApiProperty({ description: 'UTC calendar day.', example: '2026-03-01' })
  day!: string;

  @ApiProperty({ description: 'Sessions signed in and not ended at the end of the day (now, for today).', example: 412 })
  activeSessions!: number;

  @ApiProperty({ description: 'Sessions opened that day.', example: 96 })
  signIns!: number;

  @ApiProperty({
    description: `Sessions ended that day, by reason (${SESSION_END_REASONS.join(', ')}); reasons with none are left out.`,
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { logout: 40, expired_idle: 31, revoked_by_admin: 2 },
  })
  signOuts!: Day['signOuts'];
}

export class DeviceTypeCountDto {
  @ApiProperty({ example: 'desktop' })
  type!: string;

  @ApiProperty({ example: 300 })
  sessions!: number;
}

export class PlaceCountDto {
  @ApiProperty({ description: 'A coarse place, "Local network", or the buckets "Other" and "Unknown".', example: 'Lyon, Auvergne-Rhône-Alpes, France' })
  place!: string;

  @ApiProperty({ example: 42 })
  sessions!: number;
}

export class OverviewRevocationDto implements OverviewRevocationShape<Date> {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['session_revoked', 'logout_everywhere', 'sessions_revoked_by_filter'], example: 'logout_everywhere' })
  type!: string;

  @ApiProperty({ format: 'date-time' })
  at!: Date;

  @ApiProperty({ type: PersonDto, nullable: true })
  actor!: { id: string; email: string | null } | null;

  @ApiProperty({ type: PersonDto, nullable: true, description: 'The user whose sessions ended, as the host knows them now.' })
  user!: { id: string; email: string } | null;

  @ApiProperty({ type: String, nullable: true, enum: SESSION_END_REASONS, example: 'revoked_by_admin' })
  reason!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Laptop reported stolen' })
  note!: string | null;

  @ApiProperty({ description: 'Sessions it ended.', example: 3 })
  count!: number;
}

export class AdminOverviewDto implements AdminOverviewShape<Date> {
  @ApiProperty({ format: 'date-time' })
  generatedAt!: Date;

  @ApiProperty({ description: "Sessions active now, by the guard's rule.", example: 412 })
  activeSessions!: number;

  @ApiProperty({ type: [OverviewDayDto], description: 'The last 30 UTC days, oldest first, today last.' })
  days!: OverviewDayDto[];

  @ApiProperty({ type: [DeviceTypeCountDto], description: 'Active sessions by device type, largest first.' })
  byDeviceType!: DeviceTypeCountDto[];

  @ApiProperty({ type: [PlaceCountDto], description: 'Active sessions by place: the top 8, then Other and Unknown.' })
  byPlace!: PlaceCountDto[];

  @ApiProperty({ type: [OverviewRevocationDto], description: 'The latest 10 revocations, newest first.' })
  recentRevocations!: OverviewRevocationDto[];
}
