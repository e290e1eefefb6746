import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** `?include=ended` on session lists. */
export class ListSessionsQuery {
  @ApiPropertyOptional({ enum: ['ended'], description: 'Also list sessions ended in the last 30 days.' })
  @IsOptional()
  @IsIn(['ended'], { message: "include must be 'ended'" })
  include?: 'ended';
}
