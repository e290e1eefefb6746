import { Body, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/api-errors.js';
import { libraryValidationPipe, noInput } from '../common/validation.js';
import { ListSessionsQuery } from '../devices/devices.dto.js';
import { CurrentAuth, Roles } from '../edge/auth.decorators.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { SessionResponses } from '../edge/session-responses.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import { AdminSessionsService } from './admin-sessions.service.js';
import { FilterRevocationDto, RevokedDto, SessionListDto } from './dto/admin.responses.js';
import { NoteDto, NoteQuery } from './dto/note.dto.js';
import { RevokeByFilterDto } from './dto/revoke-by-filter.dto.js';
import { RevokeSessionsDto } from './dto/revoke-sessions.dto.js';
import { LibraryController } from '../edge/library-routes.guard.js';

const uuidPipe = new ParseUUIDPipe({ version: undefined });
const STEP_UP = 'Needs a fresh admin session: 403 reauth_required otherwise (POST /api/auth/reauth, then retry).';

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiErrors(
  401,
  [403, 'Signed in without the admin role (forbidden), or (revocations) the session is not fresh (reauth_required), or the CSRF and Origin rules.'],
  503,
)
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@LibraryController('admin')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor)
export class AdminSessionsController {
  constructor(
    private readonly admin: AdminSessionsService,
    private readonly responses: SessionResponses,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({ summary: "A user's sessions, newest activity first; ?include=ended adds the last 30 days of ended ones. The read is audited." })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiOkResponse({ type: SessionListDto })
  @ApiErrors([400, 'userId is not a UUID, or include is not "ended".'], [404, 'No such user.'], 414)
  @Get('users/:userId/sessions')
  async listSessions(@CurrentAuth() auth: RequestAuth, @Param('userId', uuidPipe) userId: string, @Query() query: ListSessionsQuery, @Req() req: HttpRequest) {
    return { sessions: await this.admin.listSessions(auth, userId, query.include === 'ended', this.edge.clientContext(req)) };
  }

  @ApiOperation({ summary: `End one of the user's sessions (reason revoked_by_admin). ${STEP_UP}` })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  @ApiBody({ type: NoteDto, required: false })
  @ApiNoContentResponse({ description: 'Ended.' })
  @ApiErrors(...BODY_ERRORS, [404, "No such user, or not that user's active session."], 414)
  @Delete('users/:userId/sessions/:sessionId')
  @HttpCode(204)
  async revokeSession(
    @CurrentAuth() auth: RequestAuth,
    @Param('userId', uuidPipe) userId: string,
    @Param('sessionId', uuidPipe) sessionId: string,
    @Body() body: NoteDto,
    @Query() query: NoteQuery,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<void> {
    const result = await this.admin.revokeSession(auth, userId, sessionId, body.note ?? query.note, this.edge.clientContext(req));
    if (result.endedCurrent) this.responses.ended(res);
  }

  @ApiOperation({ summary: `End a selection of the user's sessions; ids that are not the user's active sessions are skipped and not counted. ${STEP_UP}` })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiOkResponse({ type: RevokedDto })
  @ApiErrors(...BODY_ERRORS, [404, 'No such user.'], 414)
  @Post('users/:userId/sessions/revoke')
  @HttpCode(200)
  async revokeSessions(
    @CurrentAuth() auth: RequestAuth,
    @Param('userId', uuidPipe) userId: string,
    @Body() body: RevokeSessionsDto,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
    @Query(noInput) _query: undefined,
  ) {
    const result = await this.admin.revokeSessions(auth, userId, body.sessionIds, body.note, this.edge.clientContext(req));
    if (result.endedCurrent) this.responses.ended(res);
    return { revoked: result.revoked };
  }

  @ApiOperation({ summary: `End every session of the user (one logout_everywhere event with the count). ${STEP_UP}` })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiBody({ type: NoteDto, required: false })
  @ApiOkResponse({ type: RevokedDto })
  @ApiErrors(...BODY_ERRORS, [404, 'No such user.'], 414)
  @Post('users/:userId/logout-everywhere')
  @HttpCode(200)
  async logoutEverywhere(
    @CurrentAuth() auth: RequestAuth,
    @Param('userId', uuidPipe) userId: string,
    @Body() body: NoteDto,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
    @Query(noInput) _query: undefined,
  ) {
    const result = await this.admin.logoutEverywhere(auth, userId, body.note, this.edge.clientContext(req));
    if (result.endedCurrent) this.responses.ended(res);
    return { revoked: result.revoked };
  }

  @ApiOperation({
    summary: `End every active session matching all given filters, across users; never the caller's own session. dryRun only counts. ${STEP_UP} (except dryRun)`,
  })
  @ApiOkResponse({ type: FilterRevocationDto })
  @ApiErrors([400, 'No filter, no note, or a malformed or mistyped value (null included: dryRun must be true or false). Nothing was changed.'], 413, 415)
  @Post('sessions/revoke-by-filter')
  @HttpCode(200)
  revokeByFilter(@CurrentAuth() auth: RequestAuth, @Body() body: RevokeByFilterDto, @Req() req: HttpRequest, @Query(noInput) _query: undefined) {
    return this.admin.revokeByFilter(auth, body, this.edge.clientContext(req));
  }
}
