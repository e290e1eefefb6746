import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

/** `POST /api/auth/logout`. */
export class LogoutDto {
  @ApiPropertyOptional({ example: '/login', description: 'A relative path on this origin; anything else falls back to the configured redirect.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  returnTo?: string;

  // The plain-HTML-form variant carries the XSRF value in the body.
  @IsOptional()
  @IsString()
  _csrf?: string;
}

/** `POST /api/auth/logout-all`. */
export class LogoutAllDto {
  @ApiPropertyOptional({ description: 'Keep the current session (needs a fresh session: step-up).' })
  @IsOptional()
  @IsBoolean()
  keepCurrent?: boolean;
}
