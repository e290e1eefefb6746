import { Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { noInput } from '../common/validation.js';
import { CurrentAuth, NotActivity } from '../edge/auth.decorators.js';
import { HttpEdge, type HttpResponse } from '../edge/http-edge.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { EventStreamsService } from './event-streams.service.js';
import { LibraryController } from '../edge/library-routes.guard.js';

@ApiTags('auth')
@LibraryController('auth/events')
export class EventsController {
  constructor(
    private readonly streams: EventStreamsService,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({ summary: 'Server-Sent Events: `event: logout` with the reason when this session ends, anywhere.' })
  @ApiProduces('text/event-stream')
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'The stream: `event: logout` with data `{"reason": …}`, and comment heartbeats.', schema: { type: 'string' } })
  @ApiErrors(400, 401, 503)
  // An open stream is not activity: it never moves lastActiveAt.
  @NotActivity()
  @Get()
  open(@CurrentAuth() auth: RequestAuth, @Res() res: HttpResponse, @Query(noInput) _query: undefined): void {
    this.streams.open(auth, this.edge.takeOver(res));
  }
}
