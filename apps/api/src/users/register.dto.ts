import { ApiProperty } from '@nestjs/swagger';
import { IsUnambiguousEmail } from '@signoff/auth-sessions';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';

/** `POST /api/auth/register`. */
export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 320, example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @IsUnambiguousEmail()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 12, maxLength: 128 })
  @IsString()
  @Length(12, 128, { message: 'password must be 12 to 128 characters long' })
  password!: string;
}

export class RegisteredUserDto {
  @ApiProperty({ format: 'uuid', example: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: 'array', items: { type: 'string' }, example: [] })
  roles!: string[];
}

/** The answer of `POST /api/auth/register`. */
export class RegisterResponseDto {
  @ApiProperty({ type: RegisteredUserDto })
  user!: RegisteredUserDto;
}

/** The answer of `GET /api/auth/registration`: whether the console should offer a sign-up link. */
export class RegistrationStatusDto {
  @ApiProperty({ example: true, description: 'Whether POST /api/auth/register accepts new accounts.' })
  open!: boolean;
}
