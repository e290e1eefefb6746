import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { HttpEdge, type HttpRequest } from '../edge/http-edge.js';
import { SignInService, type VerifiedCredentials } from './sign-in.service.js';

/** The built-in email/password strategy (`AuthGuard('local')`): `req.user` becomes the `VerifiedCredentials`. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(
    private readonly signIn: SignInService,
    private readonly edge: HttpEdge,
  ) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: false });
  }

  validate(req: HttpRequest, email: string, password: string): Promise<VerifiedCredentials | null> {
    return this.signIn.verifyCredentials(email, password, this.edge.clientContext(req));
  }
}
