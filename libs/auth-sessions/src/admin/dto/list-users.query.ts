import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EmptyAsAbsent, ToOptionalNumber } from './query-values.js';

/** `GET /api/admin/users?search=&page=&pageSize=`. */
export class ListUsersQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the email.', example: 'example.com', maxLength: 320 })
  @EmptyAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(320)
  search?: string;

  @ApiPropertyOptional({ description: '1-based page number.', example: 1, default: 1, minimum: 1, maximum: 100000 })
  @ToOptionalNumber()
  @IsOptional()
  @IsInt({ message: 'page must be a whole number from 1' })
  @Min(1)
  @Max(100_000)
  page?: number;

  @ApiPropertyOptional({ description: 'Users per page.', example: 20, default: 20, minimum: 1, maximum: 100 })
  @ToOptionalNumber()
  @IsOptional()
  @IsInt({ message: 'pageSize must be a whole number from 1 to 100' })
  @Min(1)
  @Max(100)
  pageSize?: number;
}
