import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Omittable } from '../common/validation.js';

/** `?include=ended` on session lists. */
export class ListSessionsQuery {
  @ApiPropertyOptional({ enum: ['ended'], description: 'Also list sessions ended in the last 30 days.' })
  @Omittable()
  @IsIn(['ended'], { message: "include must be 'ended'" })
  include?: 'ended';
}
