import { Injectable } from '@nestjs/common';
import type { AuthenticationResult } from './sessions.service.js';

/**
 * Resolves `Authorization: Bearer` credentials to a session. Until bearer mode is configured every
 * bearer credential is rejected, so a request carrying one is never authenticated by a cookie instead.
 */
@Injectable()
export class BearerAuthenticator {
  async authenticate(_authorization: string): Promise<AuthenticationResult> {
    return { ok: false, code: 'unauthenticated' };
  }
}
