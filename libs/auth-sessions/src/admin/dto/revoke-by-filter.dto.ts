import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIP, IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { DATE_TIME_SCHEMA, IsDateTime, Omittable } from '../../common/validation.js';
import { NOTE_MAX_LENGTH } from './note.dto.js';
import { FormBoolean } from '../../common/form-body.js';

/**
 * `POST /api/admin/sessions/revoke-by-filter`: at least one filter, and a note. Every field is
 * either absent or of its type: `null` is a 400, never "no filter" or "not a dry run".
 */
export class RevokeByFilterDto {
  @ApiPropertyOptional({
    description:
      'The recorded client IP, exactly (IPv4 or IPv6); an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is read as its IPv4 address, as IPs are recorded.',
    example: '203.0.113.7',
    maxLength: 64,
  })
  @Omittable()
  @IsIP()
  @MaxLength(64)
  ip?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the User-Agent.', example: 'Firefox/115', minLength: 1, maxLength: 512 })
  @Omittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  userAgentContains?: string;

  @ApiPropertyOptional({ ...DATE_TIME_SCHEMA, description: 'Sessions signed in before this time.', example: '2026-01-01T00:00:00Z' })
  @Omittable()
  @IsDateTime('createdBefore')
  createdBefore?: string;

  @ApiPropertyOptional({ ...DATE_TIME_SCHEMA, description: 'Sessions last active before this time.', example: '2026-01-01T00:00:00Z' })
  @Omittable()
  @IsDateTime('lastActiveBefore')
  lastActiveBefore?: string;

  @ApiPropertyOptional({
    description: 'Sessions of these users.',
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    example: ['0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f'],
    minItems: 1,
    maxItems: 1000,
  })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'each value in userIds must be a UUID' })
  userIds?: string[];

  @ApiPropertyOptional({ type: Boolean, description: 'Only count the matches; change nothing. Must be a boolean when present.', example: true, default: false })
  @FormBoolean()
  @Omittable()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;

  @ApiProperty({
    description: "Why (mandatory; kept as the audit events' note).",
    example: 'Credential-stuffing wave from 203.0.113.7 (incident 2026-014)',
    minLength: 1,
    maxLength: NOTE_MAX_LENGTH,
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'note is required: say why these sessions are being revoked' })
  @IsNotEmpty({ message: 'note is required: say why these sessions are being revoked' })
  @MaxLength(NOTE_MAX_LENGTH)
  note!: string;
}
