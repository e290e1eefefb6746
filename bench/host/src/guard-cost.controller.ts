import { Controller, type ExecutionContext, Get, Query, Req, Res } from '@nestjs/common';
import { AuthRateLimitGuard, Public, RolesGuard, SessionGuard } from '@signoff/auth-sessions';
import type { Request, Response } from 'express';

/**
 * What Signoff's guards cost per request in CPU alone: this request's own credentials (its cookie
 * or Authorization header) run through the three global guards `n` times in a loop, as Nest calls
 * them, without the network, the HTTP parser or the event loop in between. Only in the bench host.
 */
@Controller('bench')
export class GuardCostController {
  constructor(
    private readonly rateLimit: AuthRateLimitGuard,
    private readonly session: SessionGuard,
    private readonly roles: RolesGuard,
  ) {}

  @Public()
  @Get('guard-cost')
  async cost(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query('n') n = '100000',
  ): Promise<{ nsPerRequest: number; synchronous: boolean; calls: number }> {
    const calls = Math.min(Math.max(Number(n) || 0, 1000), 1_000_000);
    // A context for the handler below (no @Public(), no @Roles(), not rate limited): a protected route.
    const context = {
      getType: () => 'http',
      getClass: () => GuardCostController,
      getHandler: () => protectedRoute,
      getArgs: () => [req, res],
      getArgByIndex: (index: number) => [req, res][index],
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res, getNext: () => undefined }),
    } as unknown as ExecutionContext;
    const once = async (): Promise<boolean> => {
      const first = this.rateLimit.canActivate(context);
      if (first !== true && !(await first)) return false;
      const second = this.session.canActivate(context);
      if (second !== true && !(await second)) return false;
      return this.roles.canActivate(context);
    };
    const synchronous = this.session.canActivate(context) === true;
    for (let i = 0; i < Math.min(calls, 10_000); i++) await once();
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await once();
    const elapsed = Number(process.hrtime.bigint() - started);
    return { nsPerRequest: elapsed / calls, synchronous, calls };
  }
}

/** The handler the loop pretends to guard: no @Public(), no @Roles(), not rate limited (never mapped). */
function protectedRoute(): void {}
