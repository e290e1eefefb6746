import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentAuth, NotActivity } from '../sessions/session.decorators.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { EventStreamsService } from './event-streams.service.js';

@ApiTags('auth')
@Controller('auth/events')
export class EventsController {
  constructor(private readonly streams: EventStreamsService) {}

  @ApiOperation({ summary: 'Server-Sent Events: `event: logout` with the reason when this session ends, anywhere.' })
  @ApiProduces('text/event-stream')
  // An open stream is not activity: it never moves lastActiveAt.
  @NotActivity()
  @Get()
  open(@CurrentAuth() auth: RequestAuth, @Req() req: Request, @Res() res: Response): void {
    this.streams.open(auth, req, res);
  }
}
