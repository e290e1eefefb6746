import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { NoteDto } from './note.dto.js';

/** `POST /api/admin/users/:userId/sessions/revoke`. */
export class RevokeSessionsDto extends NoteDto {
  @ApiProperty({
    description: "Sessions of that user to end; ids that are not the user's active sessions are skipped and not counted.",
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    example: ['3f0e5c1a-8b2d-4c4e-9a51-0d5b7c2e9f10', '9a7d2b64-1e3f-4b8a-bc0d-5e6f7a8b9c0d'],
    minItems: 1,
    maxItems: 500,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true, message: 'each value in sessionIds must be a UUID' })
  sessionIds!: string[];
}
