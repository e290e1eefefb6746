import type { SignoffUser } from '../users/users-provider.js';
import type { Session } from './session.entity.js';

/** Who is calling: what the guard attaches to an authenticated request or connection. */
export interface RequestAuth {
  session: Session;
  user: SignoffUser;
  /** How the caller authenticated: the session cookie or an `Authorization: Bearer` token. */
  method: 'cookie' | 'bearer';
  expiresAt: Date;
}
