import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { SignoffUser } from '@signoff/auth-sessions';
import { Strategy } from 'passport-local';
import { UsersService } from '../users/users.service.js';

/**
 * The host's own sign-in: username and password against its users table. Any passport strategy
 * (OIDC, SAML, LDAP) fits the same place; `AccountController` ends it in a Signoff session.
 * Written as Nest's documentation writes one, so it takes passport-local's default name, `local`,
 * beside the library's own email/password strategy.
 */
@Injectable()
export class HostPasswordStrategy extends PassportStrategy(Strategy) {
  constructor(private readonly users: UsersService) {
    super({ usernameField: 'username', passwordField: 'password', session: false, passReqToCallback: true });
  }

  validate(req: { query?: Record<string, unknown> }, username: string, password: string): Promise<SignoffUser | null> {
    // passport-local also reads the query string, and a password in a URL ends up in access logs and
    // browser history: credentials count only in the body.
    if (req.query && ('username' in req.query || 'password' in req.query)) return Promise.resolve(null);
    return this.users.verifyUsername(username, password);
  }
}
