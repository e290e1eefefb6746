import type { Request } from 'express';
import type { SignoffUser } from '../users/users-provider.js';
import type { Session } from './session.entity.js';

/** What the guard attaches to an authenticated request. */
export interface RequestAuth {
  session: Session;
  user: SignoffUser;
  /** How the request authenticated: the session cookie or an `Authorization: Bearer` token. */
  method: 'cookie' | 'bearer';
  expiresAt: Date;
}

/** An Express request after `SessionGuard`. */
export type AuthenticatedRequest = Request & { auth?: RequestAuth; cookies?: Record<string, string> };
