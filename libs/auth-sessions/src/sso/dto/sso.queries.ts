import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../../common/validation.js';

/** `GET /api/auth/oidc/login?returnTo=&reauth=1`: anything else in the query is a 400, as on every library route. */
export class OidcLoginQuery {
  @ApiPropertyOptional({ maxLength: 2048, example: '/devices', description: 'A path of this origin to land on afterwards.' })
  @Omittable()
  @IsString()
  @MaxLength(2048)
  returnTo?: string;

  @ApiPropertyOptional({ enum: ['1'], description: 'Step-up of the current session instead of a sign-in.' })
  @Omittable()
  @IsIn(['1'], { message: 'reauth must be 1 when given.' })
  reauth?: '1';
}
