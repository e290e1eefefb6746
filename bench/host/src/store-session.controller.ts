import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Open } from './guards.js';
import { BenchUsers } from './users.js';

/** Signs a benchmark user in to variant (e): the session lives in Redis through connect-redis. */
@Controller('bench')
export class StoreSessionController {
  private readonly users = new BenchUsers();

  @Open()
  @Post('store-login')
  @HttpCode(200)
  async login(
    @Req() req: Request & { session: { userId?: string; save(callback: (error?: unknown) => void): void } },
    @Body() body: { email: string; password: string },
  ) {
    const user = await this.users.findByEmail(body.email);
    if (!(await this.users.verifyPassword(user, body.password))) return { ok: false };
    req.session.userId = user!.id;
    await new Promise<void>((resolve, reject) =>
      req.session.save((error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())),
    );
    return { ok: true };
  }
}
