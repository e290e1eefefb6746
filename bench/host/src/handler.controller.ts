import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { reachedHandler } from './in-situ.js';

type GuardedRequest = Request & {
  auth?: { user: { id: string } };
  user?: { id: string };
  session?: { userId?: string };
};

/** The one handler every variant serves: who is calling, as each guard left it on the request. */
@Controller('bench')
export class HandlerController {
  @Get('me')
  me(@Req() req: GuardedRequest): { userId: string | null } {
    reachedHandler(req);
    return { userId: req.auth?.user.id ?? req.user?.id ?? req.session?.userId ?? null };
  }
}
