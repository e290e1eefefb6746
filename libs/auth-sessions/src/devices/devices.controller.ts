import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { clientContextOf } from '../common/client-context.js';
import { libraryValidationPipe } from '../common/validation.js';
import { LogoutService } from '../logout/logout.service.js';
import { CurrentAuth } from '../sessions/session.decorators.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { ListSessionsQuery } from './devices.dto.js';
import { DevicesService } from './devices.service.js';

const uuidPipe = new ParseUUIDPipe({ version: undefined });

@ApiTags('devices')
@Controller('auth/sessions')
@UsePipes(libraryValidationPipe)
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly logout: LogoutService,
  ) {}

  @ApiOperation({ summary: 'Your sessions as devices, newest activity first; ?include=ended adds the last 30 days.' })
  @Get()
  async list(@CurrentAuth() auth: RequestAuth, @Query() query: ListSessionsQuery) {
    return { sessions: await this.devices.listForUser(auth.user.id, auth.session.id, query.include === 'ended') };
  }

  @ApiOperation({ summary: 'End one of your sessions (step-up unless it is the current one).' })
  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @CurrentAuth() auth: RequestAuth,
    @Param('id', uuidPipe) sessionId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const result = await this.logout.revokeOwnSession(auth, sessionId, clientContextOf(req));
    if (result.endedCurrent) this.logout.endClientSession(res);
  }

  @ApiOperation({ summary: 'End every other session (step-up).' })
  @Post('revoke-others')
  @HttpCode(200)
  async revokeOthers(@CurrentAuth() auth: RequestAuth, @Req() req: Request) {
    const result = await this.logout.logoutEverywhere(auth, clientContextOf(req), true);
    return { revoked: result.revoked };
  }
}
