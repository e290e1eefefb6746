import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { RATE_LIMITED_METADATA } from '@signoff/auth-sessions';

/** Limits only the credential endpoints the library marks with `@RateLimited()`, per client IP. */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !this.reflector.getAllAndOverride<boolean | undefined>(RATE_LIMITED_METADATA, [context.getHandler(), context.getClass()]);
  }
}
