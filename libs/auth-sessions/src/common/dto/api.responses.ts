import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SESSION_END_REASONS } from '../session-end-reason.js';

// Response shapes for the OpenAPI document; the services return plain objects of the same shape.
// The e2e suites check every response against them (test-support/openapi-validator.ts), with
// objects closed: a field the code returns and the document does not name fails a test.

/**
 * What `parseDeviceInfo` (sessions/device-info.ts) can answer as a device type: ua-parser-js's
 * device types, `desktop` when it names none but a browser or OS is known, `cli` for API clients such
 * as curl, and `unknown` when the user agent says nothing it can read.
 */
export const DEVICE_TYPES = ['desktop', 'mobile', 'tablet', 'smarttv', 'wearable', 'console', 'embedded', 'cli', 'unknown'] as const;

/** The contract's error body: `{ statusCode, message, code?, reason? }`. */
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 401 })
  statusCode!: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What went wrong and how to fix it; a list for several invalid fields.',
    example: 'Sign in to continue.',
  })
  message!: string | string[];

  @ApiPropertyOptional({ description: "The HTTP status's name, on some errors.", example: 'Unauthorized' })
  error?: string;

  @ApiPropertyOptional({
    description:
      'Why, for clients: on 401 session_ended, session_expired, token_expired or unauthenticated; on 403 reauth_required, ' +
      'invalid_password, csrf_token_invalid, origin_not_allowed or forbidden; on 409 email_taken; on 503 service_unavailable.',
    pattern: '^[a-z_]+$',
    example: 'session_ended',
  })
  code?: string;

  @ApiPropertyOptional({
    enum: SESSION_END_REASONS,
    description: 'Why the session ended (with code session_ended or session_expired).',
    example: 'revoked_by_admin',
  })
  reason?: string;
}

export class UserDto {
  @ApiProperty({ format: 'uuid', example: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: 'array', items: { type: 'string' }, example: [] })
  roles!: string[];
}

export class SessionSummaryDto {
  @ApiProperty({ format: 'uuid', example: '3f0e5c1a-8b2d-4c4e-9a51-0d5b7c2e9f10' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'The earlier of the idle and the absolute deadline.', example: '2026-03-01T10:00:00.000Z' })
  expiresAt!: Date;
}

/** `POST /api/auth/login`. */
export class SignInResponseDto {
  @ApiProperty({ type: UserDto })
  user!: UserDto;

  @ApiProperty({ type: SessionSummaryDto })
  session!: SessionSummaryDto;
}

/** A token response (RFC 6749 names): `POST /api/auth/token/refresh`. */
export class TokenPairDto {
  @ApiProperty({ description: 'A JWT (sub, sid, jti, iat, exp), at most 15 minutes.', example: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2ln' })
  access_token!: string;

  @ApiProperty({ description: 'Single use: each refresh returns a new one.', example: 'kq3Q7zQbq1ZtQe8l0y8pL1M2yA6vYJzq2m2g3G1xM4Y' })
  refresh_token!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Seconds until the access token expires.', example: 900 })
  expires_in!: number;
}

/** `POST /api/auth/token`. */
export class TokenSignInResponseDto extends TokenPairDto {
  @ApiProperty({ format: 'uuid', example: '3f0e5c1a-8b2d-4c4e-9a51-0d5b7c2e9f10' })
  session_id!: string;
}

/** Where a single sign-on session came from. */
export class SsoOriginDto {
  @ApiProperty({ format: 'uri', example: 'https://login.example.com' })
  issuer!: string;
}

export class CurrentSessionDto extends SessionSummaryDto {
  @ApiProperty({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ enum: ['cookie', 'bearer'], description: 'How this request authenticated.', example: 'cookie' })
  method!: 'cookie' | 'bearer';

  @ApiPropertyOptional({
    type: SsoOriginDto,
    description: 'Present when the session was opened by single sign-on: step-up can then go through the provider (`GET auth/oidc/login?reauth=1`).',
  })
  sso?: SsoOriginDto;
}

/** `GET /api/auth/me`. */
export class MeResponseDto {
  @ApiProperty({ type: UserDto })
  user!: UserDto;

  @ApiProperty({ type: CurrentSessionDto })
  session!: CurrentSessionDto;
}

/** The token pair a bearer caller gets back when an answer rotates its session (absent for cookie callers). */
abstract class RotatedTokenPairDto {
  @ApiPropertyOptional({ description: 'Bearer callers only: the rotated access token.' })
  access_token?: string;

  @ApiPropertyOptional({ description: 'Bearer callers only: the rotated refresh token.' })
  refresh_token?: string;

  @ApiPropertyOptional({ enum: ['Bearer'], description: 'Bearer callers only.' })
  token_type?: 'Bearer';

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Bearer callers only.' })
  expires_in?: number;
}

/** `POST /api/auth/reauth`: bearer callers also get their new token pair. */
export class FreshSessionResponseDto extends RotatedTokenPairDto {
  @ApiProperty({ type: SessionSummaryDto })
  session!: SessionSummaryDto;
}

/** `POST /api/auth/logout` for JSON clients. */
export class LogoutResponseDto {
  @ApiProperty({
    description: 'Where to go next: returnTo when it is a safe path on this origin, else the configured redirect.',
    example: '/login?logged_out=1',
  })
  redirectTo!: string;
}

/** An answer with nothing to say (`POST /api/auth/token/revoke`). */
export class EmptyResponseDto {}

export class RevokedDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Sessions ended.', example: 2 })
  revoked!: number;
}

/** `POST /api/auth/password` and `/email`: bearer callers also get their rotated tokens. */
export class CredentialChangeResponseDto extends RotatedTokenPairDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Sessions ended.', example: 2 })
  revoked!: number;
}

export class DeviceDto {
  @ApiProperty({ description: 'Browser name and major version; empty when unknown.', example: 'Chrome 156' })
  browser!: string;

  @ApiProperty({ description: 'Operating system and version; empty when unknown.', example: 'Windows 10' })
  os!: string;

  @ApiProperty({ enum: DEVICE_TYPES, example: 'desktop' })
  type!: string;
}

export class PersonDto {
  @ApiProperty({ format: 'uuid', example: '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d' })
  id!: string;

  @ApiProperty({ example: 'admin@example.com' })
  email!: string;
}

/** The contract's `Session`. */
export class SessionDto {
  @ApiProperty({ format: 'uuid', example: '3f0e5c1a-8b2d-4c4e-9a51-0d5b7c2e9f10' })
  id!: string;

  @ApiProperty({ description: "Whether this is the caller's own session.", example: false })
  current!: boolean;

  @ApiProperty({ type: DeviceDto })
  device!: DeviceDto;

  @ApiProperty({ example: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' })
  userAgent!: string;

  @ApiProperty({ example: '203.0.113.7' })
  ip!: string;

  @ApiPropertyOptional({ example: 'Berlin, DE' })
  location?: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T08:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T09:30:00.000Z' })
  lastActiveAt!: Date;

  @ApiProperty({
    description: 'The earlier of last activity + idle lifetime and the absolute deadline.',
    format: 'date-time',
    example: '2026-03-01T10:00:00.000Z',
  })
  expiresAt!: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Ended sessions only.', example: '2026-03-01T09:45:00.000Z' })
  endedAt?: Date;

  @ApiPropertyOptional({ enum: SESSION_END_REASONS, description: 'Ended sessions only.', example: 'revoked_by_admin' })
  endReason?: string;

  @ApiPropertyOptional({ type: PersonDto, description: 'Ended by an admin: who.' })
  endedBy?: PersonDto;

  @ApiPropertyOptional({ type: SsoOriginDto, description: "Sessions that came through single sign-on: the provider's issuer (never its tokens)." })
  sso?: SsoOriginDto;
}

export class SessionListDto {
  @ApiProperty({ type: [SessionDto] })
  sessions!: SessionDto[];
}
