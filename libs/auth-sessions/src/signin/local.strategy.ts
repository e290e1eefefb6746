import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import { clientContextOf } from '../common/client-context.js';
import type { SignoffUser } from '../users/users-provider.js';
import { SignInService } from './sign-in.service.js';

/** The built-in email/password strategy (`AuthGuard('local')`). */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly signIn: SignInService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: false });
  }

  validate(req: Request, email: string, password: string): Promise<SignoffUser | null> {
    return this.signIn.verifyCredentials(email, password, clientContextOf(req));
  }
}
