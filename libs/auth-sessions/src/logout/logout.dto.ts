import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../common/validation.js';
import { FormBoolean } from '../common/form-body.js';

/** `POST /api/auth/logout`. */
export class LogoutDto {
  @ApiPropertyOptional({
    maxLength: 2048,
    example: '/login',
    description: 'A relative path on this origin; anything else falls back to the configured redirect.',
  })
  @Omittable()
  @IsString()
  @MaxLength(2048)
  returnTo?: string;

  // The plain-HTML-form variant carries the XSRF value in the body.
  @ApiPropertyOptional({ maxLength: 256, description: 'The XSRF-TOKEN value, for plain HTML form posts that cannot set the X-XSRF-TOKEN header.' })
  @Omittable()
  @IsString()
  @MaxLength(256)
  _csrf?: string;
}

/** `POST /api/auth/logout-all`. */
export class LogoutAllDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Keep the current session (needs a fresh session: step-up). In a form: on, true or false.',
  })
  @FormBoolean()
  @Omittable()
  @IsBoolean()
  keepCurrent?: boolean;
}
