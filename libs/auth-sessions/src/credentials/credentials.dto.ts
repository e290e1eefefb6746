import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { Omittable } from '../common/validation.js';
import { IsUnambiguousEmail } from '../users/email.js';

/** `POST /api/auth/password`. */
export class ChangePasswordDto {
  @ApiProperty({ minLength: 1, maxLength: 1024, example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  currentPassword!: string;

  @ApiProperty({ example: 'a new and longer passphrase', minLength: 12, maxLength: 128 })
  @IsString()
  @Length(12, 128, { message: 'newPassword must be 12 to 128 characters long' })
  newPassword!: string;
}

/** `POST /api/auth/email`. */
export class ChangeEmailDto {
  @ApiProperty({ minLength: 1, maxLength: 1024, example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiProperty({ format: 'email', maxLength: 320, example: 'ada.lovelace@example.com' })
  @IsEmail({}, { message: 'newEmail must be an email address' })
  @IsUnambiguousEmail()
  @MaxLength(320)
  newEmail!: string;
}

/** `POST /api/auth/security-report`. */
export class SecurityReportDto {
  @ApiPropertyOptional({ maxLength: 2000, example: 'I did not sign in from Lisbon.' })
  @Omittable()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
