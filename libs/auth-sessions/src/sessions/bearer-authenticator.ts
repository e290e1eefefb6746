import type { AuthenticationResult } from './sessions.service.js';

/**
 * Resolves an `Authorization` header to a session. The tokens feature provides the implementation
 * (JWT access tokens bound to their session); the guard only knows this contract.
 */
export abstract class BearerAuthenticator {
  abstract authenticate(authorization: string): Promise<AuthenticationResult>;
}
