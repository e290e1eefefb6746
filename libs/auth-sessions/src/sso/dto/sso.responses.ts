import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ErrorStatus } from '../../common/api-errors.js';
import { ErrorResponseDto } from '../../common/dto/api.responses.js';

// Response shapes of the single sign-on routes for the OpenAPI document. The provider-facing routes
// answer in their own specifications' error formats, not the contract's error body.

/** `GET /api/auth/oidc/status`: whether the console should offer single sign-on now. */
export class OidcStatusDto {
  @ApiProperty({ description: 'Whether single sign-on is configured on this server (OIDC_ISSUER and the client are set).', example: true })
  enabled!: boolean;

  @ApiProperty({ description: "Whether the provider's discovery document has been read, so a sign-in can start.", example: true })
  available!: boolean;
}

/** A refused logout token (OpenID Connect Back-Channel Logout 1.0, §2.8: an OAuth 2.0 error body). */
export class BackchannelLogoutErrorDto {
  @ApiProperty({ enum: ['invalid_request'], example: 'invalid_request' })
  error!: string;

  @ApiProperty({ description: 'The check that failed; never the token contents.', example: 'the logout token was already used' })
  error_description!: string;
}

/** A refused Security Event Token (RFC 8935, §2.3). */
export class SharedSignalsErrorDto {
  @ApiProperty({ enum: ['invalid_request'], example: 'invalid_request' })
  err!: string;

  @ApiProperty({ description: 'The check that failed; never the token contents.', example: 'the token is not signed by the issuer' })
  description!: string;
}

/**
 * An error status of a provider-facing route: the body its specification fixes (`specBody`) when the
 * route refuses the token itself, the contract's error body when the library's own edge answers
 * first (more session cookies than it reads, a store down, a body over the host's limit).
 */
export function ApiSpecError(status: 400 | 413, specBody: Type<unknown>, description: string): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(specBody, ErrorResponseDto),
    ApiResponse({
      status,
      description,
      content: { 'application/json': { schema: { oneOf: [{ $ref: getSchemaPath(specBody) }, { $ref: getSchemaPath(ErrorResponseDto) }] } } },
    }),
  );
}

/** 404 on every single sign-on route but the status when SSO is not configured. */
export const SSO_OFF: [ErrorStatus, string] = [404, 'Single sign-on is not configured.'];

/** 503 on the routes that need the provider's discovery document or the stores. */
export const SSO_UNAVAILABLE: [ErrorStatus, string] = [503, 'The provider has not answered yet (code sso_unavailable), or PostgreSQL or Redis is down.'];
