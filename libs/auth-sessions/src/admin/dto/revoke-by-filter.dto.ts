import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIP, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { NOTE_MAX_LENGTH } from './note.dto.js';

/** `POST /api/admin/sessions/revoke-by-filter`: at least one filter, and a note. */
export class RevokeByFilterDto {
  @ApiPropertyOptional({ description: 'The recorded client IP, exactly.', example: '203.0.113.7' })
  @IsOptional()
  @IsIP()
  ip?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the User-Agent.', example: 'Firefox/115', minLength: 1, maxLength: 512 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  userAgentContains?: string;

  @ApiPropertyOptional({ description: 'Sessions signed in before this time (ISO 8601).', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'createdBefore must be an ISO 8601 time such as 2026-01-01T00:00:00Z' })
  createdBefore?: string;

  @ApiPropertyOptional({ description: 'Sessions last active before this time (ISO 8601).', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'lastActiveBefore must be an ISO 8601 time such as 2026-01-01T00:00:00Z' })
  lastActiveBefore?: string;

  @ApiPropertyOptional({ description: 'Sessions of these users.', type: [String], format: 'uuid', example: ['0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f'], minItems: 1, maxItems: 1000 })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'each value in userIds must be a UUID' })
  userIds?: string[];

  @ApiPropertyOptional({ description: 'Only count the matches; change nothing.', example: true, default: false })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiProperty({ description: "Why (mandatory; kept as the audit events' note).", example: 'Credential-stuffing wave from 203.0.113.7 (incident 2026-014)', maxLength: NOTE_MAX_LENGTH })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'note is required: say why these sessions are being revoked' })
  @IsNotEmpty({ message: 'note is required: say why these sessions are being revoked' })
  @MaxLength(NOTE_MAX_LENGTH)
  note!: string;
}
