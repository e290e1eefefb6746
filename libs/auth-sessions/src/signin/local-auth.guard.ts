import { type ExecutionContext, HttpStatus, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { AuthGuard, AuthModuleOptions } from '@nestjs/passport';
import { SecurityEvents } from '../audit/security-events.js';
import { validateBody } from '../common/validation.js';
import { reportAccountLimited } from '../edge/account-limit.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { translateStoreErrors } from '../edge/store-errors.js';
import { TooManyAttemptsError } from '../sessions/session.errors.js';
import { LOCAL_STRATEGY } from './local.strategy.js';
import { LoginDto } from './sign-in.dto.js';

/**
 * Runs the local strategy after validating the body, so bad input is a 400 and never counts as a
 * failed sign-in. Unknown email and wrong password get the same 401.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard(LOCAL_STRATEGY) {
  constructor(
    private readonly edge: HttpEdge,
    // Optional only so a guard built by hand (unit tests) needs none; the module always provides it.
    @Optional() private readonly securityEvents?: SecurityEvents,
    @Optional() options?: AuthModuleOptions,
  ) {
    super(options);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    // The library's pipe, exactly as the handler's body will get it: depth, text, types, unknown fields.
    await validateBody(LoginDto, http.getRequest<{ body?: unknown }>().body);
    try {
      // Guards run before interceptors: a store that is down must become a 503 here.
      return await translateStoreErrors(async () => (await super.canActivate(context)) as boolean);
    } catch (error) {
      // The account is over its sign-in limit (rateLimit.account): the 429 says when to come back.
      if (error instanceof TooManyAttemptsError) {
        reportAccountLimited(this.edge, this.securityEvents, http.getRequest<HttpRequest>(), http.getResponse<HttpResponse>(), error);
      }
      throw error;
    }
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false | null): TUser {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- Passport's error, rethrown as it came, as Nest's own AuthGuard.handleRequest does
    if (error) throw error;
    if (!user) {
      throw new UnauthorizedException({
        statusCode: HttpStatus.UNAUTHORIZED,
        message: 'Invalid email or password.',
        code: 'unauthenticated',
      });
    }
    return user;
  }
}
