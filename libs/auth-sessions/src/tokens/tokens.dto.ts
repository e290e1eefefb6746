import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/** `POST /api/auth/token/refresh` and `/token/revoke`. */
export class RefreshTokenDto {
  @ApiProperty({ maxLength: 512, example: 'kq3Q7zQbq1ZtQe8l0y8pL1M2yA6vYJzq2m2g3G1xM4Y' })
  @IsString()
  @MaxLength(512)
  refresh_token!: string;
}
