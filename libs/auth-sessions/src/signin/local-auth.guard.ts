import { type CanActivate, type ExecutionContext, HttpStatus, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { SecurityEvents } from '../audit/security-events.js';
import { validateBody } from '../common/validation.js';
import { reportAccountLimited } from '../edge/account-limit.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { translateStoreErrors } from '../edge/store-errors.js';
import { TooManyAttemptsError } from '../sessions/session.errors.js';
import { SignInService, type VerifiedCredentials } from './sign-in.service.js';
import { LoginDto } from './sign-in.dto.js';

/**
 * The email and password check of the library's `login` and `token` routes: validates the body (bad
 * input is a 400 and never counts as a failed sign-in), then checks the credentials through this
 * app's users; `req.user` becomes the `VerifiedCredentials`. Unknown email and wrong password get the
 * same 401.
 *
 * Not a passport strategy: passport keeps strategies in one registry per process, by name, so with
 * two apps in one process (two tenants, a test starting two instances) a strategy looked up by name
 * is the last app's, and the first app's `/auth/login` checked, and signed in, the other app's users.
 * Your own passport strategies, in front of `SignInService.completeSignIn`, are unaffected.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  constructor(
    private readonly signIn: SignInService,
    private readonly edge: HttpEdge,
    // Optional only so a guard built by hand (unit tests) needs none; the module always provides it.
    @Optional() private readonly securityEvents?: SecurityEvents,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest & { body?: unknown; user?: VerifiedCredentials }>();
    // The library's pipe, exactly as the handler's body will get it: depth, text, types, unknown fields.
    const { email, password } = await validateBody(LoginDto, req.body);
    try {
      // Guards run before interceptors: a store that is down must become a 503 here.
      const credentials = await translateStoreErrors(() => this.signIn.verifyCredentials(email, password, this.edge.clientContext(req)));
      if (!credentials) {
        throw new UnauthorizedException({ statusCode: HttpStatus.UNAUTHORIZED, message: 'Invalid email or password.', code: 'unauthenticated' });
      }
      req.user = credentials;
      return true;
    } catch (error) {
      // The account is over its sign-in limit (rateLimit.account): the 429 says when to come back.
      if (error instanceof TooManyAttemptsError) reportAccountLimited(this.edge, this.securityEvents, req, http.getResponse<HttpResponse>(), error);
      throw error;
    }
  }
}
