import { type ExecutionContext, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { validateBody } from '../common/validation.js';
import { translateStoreErrors } from '../edge/store-errors.js';
import { LOCAL_STRATEGY } from './local.strategy.js';
import { LoginDto } from './sign-in.dto.js';

/**
 * Runs the local strategy after validating the body, so bad input is a 400 and never counts as a
 * failed sign-in. Unknown email and wrong password get the same 401.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard(LOCAL_STRATEGY) {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // The library's pipe, exactly as the handler's body will get it: depth, text, types, unknown fields.
    await validateBody(LoginDto, context.switchToHttp().getRequest<{ body?: unknown }>().body);
    // Guards run before interceptors: a store that is down must become a 503 here.
    return translateStoreErrors(async () => (await super.canActivate(context)) as boolean);
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
