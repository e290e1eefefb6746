import { Body, Delete, Get, HttpCode, HttpException, HttpStatus, Patch, Post, Put, Query, Req, Res, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCookieAuth, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/api-errors.js';
import { LogoutResponseDto, RevokedDto } from '../common/dto/api.responses.js';
import { libraryValidationPipe, noInput } from '../common/validation.js';
import { CurrentAuth, Public } from '../edge/auth.decorators.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { type PresentedSessionsRequest, presentedSessions } from '../edge/presented-session.js';
import { SessionCookies } from '../edge/session-cookies.js';
import { SessionResponses } from '../edge/session-responses.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { LogoutAllDto, LogoutDto } from './logout.dto.js';
import { LogoutService } from './logout.service.js';
import { RpLogoutService } from '../sso/rp-logout.service.js';
import { LibraryController } from '../edge/library-routes.guard.js';

@ApiTags('auth')
@LibraryController('auth')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor)
export class LogoutController {
  constructor(
    private readonly logout: LogoutService,
    private readonly responses: SessionResponses,
    private readonly edge: HttpEdge,
    private readonly rpLogout: RpLogoutService,
    private readonly cookies: SessionCookies,
  ) {}

  @ApiOperation({ summary: 'Log out: ends the session server-side, then clears the cookies. Idempotent.' })
  @ApiCookieAuth()
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: LogoutDto, required: false })
  @ApiOkResponse({ type: LogoutResponseDto, description: 'Logged out (or there was no valid session); the cookies are cleared, Clear-Site-Data sent.' })
  @ApiResponse({
    status: 303,
    description: 'The same, for HTML form posts (Accept: text/html): Location is where to go next.',
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiErrors(
    ...BODY_ERRORS,
    [
      401,
      'An Authorization header that is not valid, sent with a session cookie: the cookie is not looked at (a bearer request), so nothing ended and no cookie is cleared.',
    ],
    [403, 'A valid session cookie without the XSRF value, or from another Origin (csrf_token_invalid, origin_not_allowed). Nothing was changed.'],
    [503, 'PostgreSQL cannot be reached: the session still stands and no cookie is cleared, so the client can retry.'],
  )
  @Public()
  @Post('logout')
  @HttpCode(200)
  async logoutCurrent(
    @Req() req: PresentedSessionsRequest,
    @Res() res: HttpResponse,
    @Body() body: LogoutDto,
    @Query(noInput) _query: undefined,
  ): Promise<void> {
    // Every live session the browser presents ends (one, or several after cookie tossing), so no
    // cookie left in this browser is still signed in when the answer says "logged out".
    const sessions = presentedSessions(req);
    // A request with an Authorization header is the bearer's alone (the contract), so its session
    // cookie is not looked at. When that bearer is not valid, "logged out" with the cookie cleared
    // would leave the cookie's session signed in with no cookie left to end it: the contract's 401
    // for an invalid bearer instead, and nothing changes. (Without a cookie, it is the idempotent 200.)
    if (sessions.length === 0 && this.edge.header(req, 'authorization') !== undefined && this.edge.cookies(req, this.cookies.sessionCookieName).length > 0) {
      throw new SessionRejectedError('unauthenticated');
    }
    for (const auth of sessions) await this.logout.logoutCurrent(auth, this.edge.clientContext(req));
    const localRedirect = this.responses.ended(res, body.returnTo);
    // A session from single sign-on continues at the provider's end-session endpoint (ended here first).
    const sso = sessions.find((auth) => auth.session.ssoIssuer);
    const redirectTo = (await this.rpLogout.endSessionUrl(sso?.session)) ?? localRedirect;
    if (wantsHtml(this.edge, req)) {
      this.edge.redirect(res, HttpStatus.SEE_OTHER, redirectTo);
    } else {
      this.edge.reply(res, { redirectTo }, HttpStatus.OK);
    }
  }

  @ApiOperation({ summary: 'Never logs out: 405 with Allow: POST.' })
  @ApiErrors(400, [405, 'Always: use POST. Allow: POST.'], 503)
  @Public()
  @Get('logout')
  logoutByGet(@Res({ passthrough: true }) res: HttpResponse): never {
    return this.refuseMethod(res);
  }

  // The other methods answer the same, from the library itself: a host's generic 405 would list GET
  // (a route exists for it) as allowed, and a host without one would answer 404.
  @ApiExcludeEndpoint()
  @Public()
  @Put('logout')
  logoutByPut(@Res({ passthrough: true }) res: HttpResponse): never {
    return this.refuseMethod(res);
  }

  @ApiExcludeEndpoint()
  @Public()
  @Patch('logout')
  logoutByPatch(@Res({ passthrough: true }) res: HttpResponse): never {
    return this.refuseMethod(res);
  }

  @ApiExcludeEndpoint()
  @Public()
  @Delete('logout')
  logoutByDelete(@Res({ passthrough: true }) res: HttpResponse): never {
    return this.refuseMethod(res);
  }

  private refuseMethod(res: HttpResponse): never {
    this.edge.setHeader(res, 'Allow', 'POST');
    throw new HttpException({ statusCode: 405, message: 'Use POST to log out.' }, HttpStatus.METHOD_NOT_ALLOWED);
  }

  @ApiOperation({ summary: 'End every session of the user (the current one too unless keepCurrent).' })
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: LogoutAllDto, required: false })
  @ApiOkResponse({ type: RevokedDto, description: 'Ended; without keepCurrent the cookies are cleared too.' })
  @ApiErrors(...BODY_ERRORS, 401, [403, 'keepCurrent on a session that is not fresh (reauth_required), or the CSRF and Origin rules.'], 503)
  @Post('logout-all')
  @HttpCode(200)
  async logoutAll(
    @CurrentAuth() auth: RequestAuth,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
    @Body() body: LogoutAllDto,
    @Query(noInput) _query: undefined,
  ) {
    const result = await this.logout.logoutEverywhere(auth, this.edge.clientContext(req), body.keepCurrent === true);
    if (result.endedCurrent) this.responses.ended(res);
    return { revoked: result.revoked };
  }
}

function wantsHtml(edge: HttpEdge, req: HttpRequest): boolean {
  return (edge.header(req, 'accept') ?? '').includes('text/html');
}
