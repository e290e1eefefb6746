import { Body, Header, HttpCode, Post, Query, Req, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/api-errors.js';
import { EmptyResponseDto, TokenPairDto } from '../common/dto/api.responses.js';
import { libraryValidationPipe, noInput } from '../common/validation.js';
import { BodyMediaTypes, CsrfExempt, Public, RateLimited } from '../edge/auth.decorators.js';
import { HttpEdge, type HttpRequest } from '../edge/http-edge.js';
import { presentedSessions } from '../edge/presented-session.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { RefreshTokenDto } from './tokens.dto.js';
import { TokensService } from './tokens.service.js';
import { LibraryController } from '../edge/library-routes.guard.js';

// Browsers never send these bodies by themselves (JSON only: a form post is 415), so the CSRF and
// Origin rules do not apply.
@ApiTags('tokens')
@LibraryController('auth/token')
@Public()
@CsrfExempt()
@BodyMediaTypes('application/json')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor)
export class TokensController {
  constructor(
    private readonly tokens: TokensService,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({ summary: 'Rotate a refresh token: a new pair; a replayed spent token ends the session.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [
      401,
      'An unknown, spent, revoked or expired refresh token (a replayed spent token also ends its session: code session_ended, reason refresh_token_reuse), ' +
        'or one sent with a valid session cookie or access token of another session (code unauthenticated; nothing changes).',
    ],
    429,
    503,
  )
  @RateLimited()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  refresh(@Req() req: HttpRequest, @Body() body: RefreshTokenDto, @Query(noInput) _query: undefined) {
    return this.tokens.refresh(body.refresh_token, this.edge.clientContext(req), presentedSessions(req));
  }

  @ApiOperation({
    summary:
      "End a refresh token's session (200 also for an unknown token, RFC 7009); only its owner can: sent with another user's credentials, it changes nothing.",
  })
  @ApiOkResponse({ type: EmptyResponseDto, description: 'Ended, or there was nothing to end (or nothing the caller may end).' })
  @ApiErrors(...BODY_ERRORS, 503)
  @Post('revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async revoke(@Req() req: HttpRequest, @Body() body: RefreshTokenDto, @Query(noInput) _query: undefined): Promise<Record<string, never>> {
    await this.tokens.revoke(body.refresh_token, this.edge.clientContext(req), presentedSessions(req));
    return {};
  }
}
