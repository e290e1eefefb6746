import { Body, Controller, Get, HttpCode, HttpException, HttpStatus, Post, Req, Res, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { clientContextOf } from '../common/client-context.js';
import { libraryValidationPipe } from '../common/validation.js';
import { CurrentAuth, Public } from '../sessions/session.decorators.js';
import type { AuthenticatedRequest, RequestAuth } from '../sessions/request-auth.js';
import { LogoutAllDto, LogoutDto } from './logout.dto.js';
import { LogoutService } from './logout.service.js';

@ApiTags('auth')
@Controller('auth')
@UsePipes(libraryValidationPipe)
export class LogoutController {
  constructor(private readonly logout: LogoutService) {}

  @ApiOperation({ summary: 'Log out: ends the session server-side, then clears the cookies. Idempotent.' })
  @Public()
  @Post('logout')
  @HttpCode(200)
  async logoutCurrent(@Req() req: AuthenticatedRequest, @Res() res: Response, @Body() body: LogoutDto): Promise<void> {
    await this.logout.logoutCurrent(req.auth, clientContextOf(req));
    const redirectTo = this.logout.endClientSession(res, body.returnTo);
    if (wantsHtml(req)) {
      res.redirect(303, redirectTo);
    } else {
      res.status(200).json({ redirectTo });
    }
  }

  @ApiOperation({ summary: 'Never logs out: 405 with Allow: POST.' })
  @Public()
  @Get('logout')
  logoutByGet(@Res({ passthrough: true }) res: Response): never {
    res.setHeader('Allow', 'POST');
    throw new HttpException({ statusCode: 405, message: 'Use POST to log out.' }, HttpStatus.METHOD_NOT_ALLOWED);
  }

  @ApiOperation({ summary: 'End every session of the user (the current one too unless keepCurrent).' })
  @Post('logout-all')
  @HttpCode(200)
  async logoutAll(@CurrentAuth() auth: RequestAuth, @Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: LogoutAllDto) {
    const result = await this.logout.logoutEverywhere(auth, clientContextOf(req), body.keepCurrent === true);
    if (result.endedCurrent) this.logout.endClientSession(res);
    return { revoked: result.revoked };
  }
}

function wantsHtml(req: Request): boolean {
  return (req.get('accept') ?? '').includes('text/html');
}
