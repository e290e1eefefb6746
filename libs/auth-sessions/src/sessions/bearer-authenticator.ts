import type { AuthenticationResult } from './sessions.service.js';

/**
 * Resolves an `Authorization` header to a session. The tokens feature provides the implementation
 * (JWT access tokens bound to their session); the guard only knows this contract.
 */
export abstract class BearerAuthenticator {
  abstract authenticate(authorization: string): Promise<AuthenticationResult>;

  /**
   * What `authenticate` answers, at once and without waiting, when everything it needs is cached on
   * this instance; undefined otherwise (then the guard calls `authenticate`).
   */
  authenticateCached(_authorization: string): AuthenticationResult | undefined {
    return undefined;
  }
}
