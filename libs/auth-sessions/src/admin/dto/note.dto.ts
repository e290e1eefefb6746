import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { Omittable } from '../../common/validation.js';

export const NOTE_MAX_LENGTH = 1000;

/** An admin's optional free text on a revocation; it goes to the audit event's `note`, never to `reason`. */
export class NoteDto {
  @ApiPropertyOptional({
    description: "The admin's reason in their own words (kept as the audit event's note).",
    example: 'Laptop reported stolen (ticket 4711)',
    maxLength: NOTE_MAX_LENGTH,
  })
  @Omittable()
  @IsString()
  @MaxLength(NOTE_MAX_LENGTH)
  note?: string;
}

/** `?note=` for clients that cannot send a body with DELETE. */
export class NoteQuery extends NoteDto {}
