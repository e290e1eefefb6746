import { BadRequestException, type ExecutionContext, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { translateStoreErrors } from '../edge/store-errors.js';
import { LoginDto } from './sign-in.dto.js';

/**
 * Runs the local strategy after validating the body, so bad input is a 400 and never counts as a
 * failed sign-in. Unknown email and wrong password get the same 401.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const body: unknown = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    const errors = await validate(plainToInstance(LoginDto, body ?? {}), { whitelist: true });
    if (errors.length > 0) {
      throw new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        message: errors.flatMap((error) => Object.values(error.constraints ?? {})),
        error: 'Bad Request',
      });
    }
    // Guards run before interceptors: a store that is down must become a 503 here.
    return translateStoreErrors(async () => (await super.canActivate(context)) as boolean);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false | null): TUser {
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
