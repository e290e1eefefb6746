import { Body, HttpCode, Post, Query, Req, Res, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/api-errors.js';
import { CredentialChangeResponseDto, RevokedDto } from '../common/dto/api.responses.js';
import { libraryValidationPipe, noInput } from '../common/validation.js';
import { CurrentAuth, RateLimited } from '../edge/auth.decorators.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { SessionResponses } from '../edge/session-responses.js';
import { AccountLimitInterceptor } from '../edge/account-limit.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { ChangeEmailDto, ChangePasswordDto, SecurityReportDto } from './credentials.dto.js';
import { type CredentialChangeOutcome, type CredentialChangeResult, CredentialsService } from './credentials.service.js';
import { LibraryController } from '../edge/library-routes.guard.js';

@ApiTags('auth')
@ApiCookieAuth()
@ApiBearerAuth()
@LibraryController('auth')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor, AccountLimitInterceptor)
export class CredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly responses: SessionResponses,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({ summary: 'Change the password: every other session ends at once; this one is kept with new secrets.' })
  @ApiOkResponse({ type: CredentialChangeResponseDto, description: 'Changed; cookie callers get new cookies, bearer callers new tokens.' })
  @ApiErrors(
    [400, 'Bad input, or a new password that is the current one (code password_unchanged). Nothing was changed.'],
    413,
    415,
    401,
    [403, 'Wrong current password (invalid_password), or the CSRF and Origin rules.'],
    429,
    503,
  )
  @RateLimited()
  @Post('password')
  @HttpCode(200)
  async changePassword(
    @CurrentAuth() auth: RequestAuth,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
    @Body() body: ChangePasswordDto,
    @Query(noInput) _query: undefined,
  ) {
    return this.answer(res, await this.credentials.changePassword(auth, this.edge.clientContext(req), body.currentPassword, body.newPassword));
  }

  @ApiOperation({ summary: 'Change the email: every other session ends at once; this one is kept with new secrets.' })
  @ApiOkResponse({ type: CredentialChangeResponseDto, description: 'Changed; cookie callers get new cookies, bearer callers new tokens.' })
  @ApiErrors(
    [400, 'Bad input, or a new email that is the current one, ignoring case (code email_unchanged). Nothing was changed.'],
    413,
    415,
    401,
    [403, 'Wrong password (invalid_password), or the CSRF and Origin rules.'],
    [409, 'The new email is taken: code email_taken.'],
    429,
    503,
  )
  @RateLimited()
  @Post('email')
  @HttpCode(200)
  async changeEmail(
    @CurrentAuth() auth: RequestAuth,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
    @Body() body: ChangeEmailDto,
    @Query(noInput) _query: undefined,
  ) {
    return this.answer(res, await this.credentials.changeEmail(auth, this.edge.clientContext(req), body.password, body.newEmail));
  }

  @ApiOperation({ summary: '"This wasn\'t me": ends every session of the user, this one included.' })
  @ApiBody({ type: SecurityReportDto, required: false })
  @ApiOkResponse({ type: RevokedDto, description: 'Every session ended; the cookies are cleared.' })
  @ApiErrors(...BODY_ERRORS, 401, [403, 'The CSRF and Origin rules.'], 429, 503)
  @RateLimited()
  @Post('security-report')
  @HttpCode(200)
  async reportSecurityConcern(
    @CurrentAuth() auth: RequestAuth,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
    @Body() body: SecurityReportDto,
    @Query(noInput) _query: undefined,
  ) {
    return this.answer(res, await this.credentials.reportSecurityConcern(auth, this.edge.clientContext(req), body.note));
  }

  private answer(res: HttpResponse, outcome: CredentialChangeOutcome): CredentialChangeResult {
    if (outcome.rotated) this.responses.started(res, outcome.rotated.session, outcome.rotated.token);
    if (outcome.endedCurrent) this.responses.ended(res);
    return outcome.result;
  }
}
