import type { SessionEndReason } from '../common/session-end-reason.js';

// Plain shapes of the HTTP API, with no Nest or TypeORM import, so clients that must not load the
// library (the Angular console, through libs/auth-sessions-api-types) read the same declaration.
// `Time` is `Date` on the server and the ISO 8601 string a client receives.

/** The contract's `Session`: one sign-in on one device. Every string in it may come from an attacker. */
export interface SessionShape<Time = string> {
  id: string;
  /** Whether this is the caller's own session. */
  current: boolean;
  device: { browser: string; os: string; type: string };
  userAgent: string;
  ip: string;
  /** A coarse place for `ip` ("Lyon, Auvergne-Rhône-Alpes, France", "Local network"); absent when unknown. */
  location?: string;
  createdAt: Time;
  lastActiveAt: Time;
  /** The earlier of last activity + idle lifetime and the absolute deadline. */
  expiresAt: Time;
  endedAt?: Time;
  endReason?: SessionEndReason;
  endedBy?: { id: string; email: string };
  /** Present when the session came through single sign-on: the provider's issuer (never its tokens). */
  sso?: { issuer: string };
}

/** `GET /api/auth/sessions` and `GET /api/admin/users/:userId/sessions`. */
export interface SessionListShape<Time = string> {
  sessions: SessionShape<Time>[];
}

/** The answer of every bulk revocation. */
export interface RevokedCountShape {
  revoked: number;
}
