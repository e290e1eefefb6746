import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { HttpEdge, type HttpRequest } from '../edge/http-edge.js';
import { SignInService, type VerifiedCredentials } from './sign-in.service.js';

/**
 * The passport name of the library's email/password strategy. Not passport-local's default
 * (`local`): a host that writes its own strategy as Nest's documentation does gets that name, and
 * passport keeps one strategy per name, so the two would silently replace each other.
 */
export const LOCAL_STRATEGY = 'signoff-local';

/** The built-in email/password strategy (`LocalAuthGuard`): `req.user` becomes the `VerifiedCredentials`. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, LOCAL_STRATEGY) {
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
