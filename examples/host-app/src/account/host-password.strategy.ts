import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { SignoffUser } from '@signoff/auth-sessions';
import { Strategy } from 'passport-local';
import { UsersService } from '../users/users.service.js';

/**
 * The host's own sign-in: username and password against its users table. Any passport strategy
 * (OIDC, SAML, LDAP) fits the same place; `AccountController` ends it in a Signoff session.
 */
@Injectable()
export class HostPasswordStrategy extends PassportStrategy(Strategy, 'host-password') {
  constructor(private readonly users: UsersService) {
    super({ usernameField: 'username', passwordField: 'password', session: false });
  }

  validate(username: string, password: string): Promise<SignoffUser | null> {
    return this.users.verifyUsername(username, password);
  }
}
