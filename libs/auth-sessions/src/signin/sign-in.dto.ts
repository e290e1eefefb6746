import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { Omittable } from '../common/validation.js';
import { FormBoolean } from '../common/form-body.js';

/** `POST /api/auth/login` and `POST /api/auth/token`. */
export class LoginDto {
  @ApiProperty({ format: 'email', maxLength: 320, example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 1024, example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'Keep the session across browser restarts (persistent cookie, longer lifetimes). In a form: on, true or false.',
    default: false,
  })
  @FormBoolean()
  @Omittable()
  @IsBoolean()
  rememberMe?: boolean;
}

/** `POST /api/auth/reauth`. */
export class ReauthDto {
  @ApiProperty({ minLength: 1, maxLength: 1024, example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;
}
