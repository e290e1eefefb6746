import { Body, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query, Req, Res, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { RevokedDto, SessionListDto } from '../common/dto/api.responses.js';
import { libraryValidationPipe, noInput } from '../common/validation.js';
import { CurrentAuth } from '../edge/auth.decorators.js';
import { securityEventSource } from '../edge/security-event-source.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { SessionResponses } from '../edge/session-responses.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { LogoutService } from '../logout/logout.service.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { ListSessionsQuery } from './devices.dto.js';
import { DevicesService } from './devices.service.js';
import { ForeignSessionReferences } from './foreign-session-references.js';
import { LibraryController } from '../edge/library-routes.guard.js';

const uuidPipe = new ParseUUIDPipe({ version: undefined });

@ApiTags('devices')
@ApiCookieAuth()
@ApiBearerAuth()
@LibraryController('auth/sessions')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor)
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly logout: LogoutService,
    private readonly responses: SessionResponses,
    private readonly edge: HttpEdge,
    private readonly foreignReferences: ForeignSessionReferences,
  ) {}

  @ApiOperation({ summary: 'Your sessions as devices, newest activity first; ?include=ended adds the last 30 days.' })
  @ApiOkResponse({ type: SessionListDto })
  @ApiErrors(400, 401, 503)
  @Get()
  async list(@CurrentAuth() auth: RequestAuth, @Query() query: ListSessionsQuery) {
    return { sessions: await this.devices.listForUser(auth.user.id, auth.session.id, query.include === 'ended') };
  }

  @ApiOperation({ summary: 'End one of your sessions (step-up unless it is the current one).' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Ended; for the current session the cookies are cleared too.' })
  @ApiErrors(
    [400, 'id is not a UUID.'],
    414,
    // No body is read, but the platform still refuses one it cannot parse.
    413,
    415,
    401,
    [403, 'Another of your sessions while this one is not fresh (reauth_required), or the CSRF and Origin rules.'],
    [404, 'Not one of your active sessions.'],
    503,
  )
  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @CurrentAuth() auth: RequestAuth,
    @Param('id', uuidPipe) sessionId: string,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
    @Query(noInput) _query: undefined,
    @Body(noInput) _body: undefined,
  ): Promise<void> {
    const result = await this.logout.revokeOwnSession(auth, sessionId, this.edge.clientContext(req)).catch(async (error: unknown) => {
      // The 404 is the same for someone else's session as for none (no oracle); only the log tells them apart.
      if (error instanceof NotFoundException) await this.foreignReferences.report(auth, sessionId, securityEventSource(this.edge, req));
      throw error;
    });
    if (result.endedCurrent) this.responses.ended(res);
  }

  @ApiOperation({ summary: 'End every other session (step-up).' })
  @ApiOkResponse({ type: RevokedDto })
  @ApiErrors(400, 413, 415, 401, [403, 'This session is not fresh (reauth_required), or the CSRF and Origin rules.'], 503)
  @Post('revoke-others')
  @HttpCode(200)
  async revokeOthers(@CurrentAuth() auth: RequestAuth, @Req() req: HttpRequest, @Query(noInput) _query: undefined, @Body(noInput) _body: undefined) {
    const result = await this.logout.logoutEverywhere(auth, this.edge.clientContext(req), true);
    return { revoked: result.revoked };
  }
}
