import { Body, Controller, Get, HttpCode, HttpException, HttpStatus, Post, Req, Res, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { libraryValidationPipe } from '../common/validation.js';
import { CurrentAuth, Public } from '../edge/auth.decorators.js';
import type { AuthenticatedRequest } from '../edge/execution-target.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { SessionResponses } from '../edge/session-responses.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { LogoutAllDto, LogoutDto } from './logout.dto.js';
import { LogoutService } from './logout.service.js';
import { RpLogoutService } from '../sso/rp-logout.service.js';

@ApiTags('auth')
@Controller('auth')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor)
export class LogoutController {
  constructor(
    private readonly logout: LogoutService,
    private readonly responses: SessionResponses,
    private readonly edge: HttpEdge,
    private readonly rpLogout: RpLogoutService,
  ) {}

  @ApiOperation({ summary: 'Log out: ends the session server-side, then clears the cookies. Idempotent.' })
  @Public()
  @Post('logout')
  @HttpCode(200)
  async logoutCurrent(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse, @Body() body: LogoutDto): Promise<void> {
    await this.logout.logoutCurrent(req.auth, this.edge.clientContext(req));
    const localRedirect = this.responses.ended(res, body.returnTo);
    // A session from single sign-on continues at the provider's end-session endpoint (ended here first).
    const redirectTo = (await this.rpLogout.endSessionUrl(req.auth?.session)) ?? localRedirect;
    if (wantsHtml(this.edge, req)) {
      this.edge.redirect(res, HttpStatus.SEE_OTHER, redirectTo);
    } else {
      this.edge.reply(res, { redirectTo }, HttpStatus.OK);
    }
  }

  @ApiOperation({ summary: 'Never logs out: 405 with Allow: POST.' })
  @Public()
  @Get('logout')
  logoutByGet(@Res({ passthrough: true }) res: HttpResponse): never {
    this.edge.setHeader(res, 'Allow', 'POST');
    throw new HttpException({ statusCode: 405, message: 'Use POST to log out.' }, HttpStatus.METHOD_NOT_ALLOWED);
  }

  @ApiOperation({ summary: 'End every session of the user (the current one too unless keepCurrent).' })
  @Post('logout-all')
  @HttpCode(200)
  async logoutAll(@CurrentAuth() auth: RequestAuth, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse, @Body() body: LogoutAllDto) {
    const result = await this.logout.logoutEverywhere(auth, this.edge.clientContext(req), body.keepCurrent === true);
    if (result.endedCurrent) this.responses.ended(res);
    return { revoked: result.revoked };
  }
}

function wantsHtml(edge: HttpEdge, req: HttpRequest): boolean {
  return (edge.header(req, 'accept') ?? '').includes('text/html');
}
