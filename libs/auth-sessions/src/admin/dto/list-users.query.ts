import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { Omittable } from '../../common/validation.js';
import { EmptyAsAbsent, ToOptionalNumber } from './query-values.js';

/** `GET /api/admin/users?search=&page=&pageSize=`. */
export class ListUsersQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the email.', example: 'example.com', maxLength: 320 })
  @EmptyAsAbsent()
  @Omittable()
  @IsString()
  @MaxLength(320)
  search?: string;

  @ApiPropertyOptional({ type: 'integer', description: '1-based page number.', example: 1, default: 1, minimum: 1, maximum: 100000 })
  @ToOptionalNumber()
  @Omittable()
  @IsInt({ message: 'page must be a whole number from 1' })
  @Min(1)
  @Max(100_000)
  page?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Users per page.', example: 20, default: 20, minimum: 1, maximum: 100 })
  @ToOptionalNumber()
  @Omittable()
  @IsInt({ message: 'pageSize must be a whole number from 1 to 100' })
  @Min(1)
  @Max(100)
  pageSize?: number;
}
