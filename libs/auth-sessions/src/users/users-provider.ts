import type { EntityManager } from 'typeorm';

/** A user as the library sees it: the host keeps everything else. */
export interface SignoffUser {
  /** UUID of the user in the host's users table. */
  id: string;
  email: string;
  /** Role names; `admin` opens the admin API. */
  roles: string[];
}

/** One page of the host's user search, for the admin user list. */
export interface SignoffUserPage {
  items: SignoffUser[];
  total: number;
}

/** Who an OpenID Provider says signed in: what `provisionSsoUser` gets on a first single sign-on. */
export interface SsoIdentity {
  /** The provider's issuer identifier. */
  issuer: string;
  /** The provider's `sub`: stable for this user at this provider. */
  subject: string;
  /** The `email` claim, if the provider sent one. */
  email: string | null;
  /** Whether the provider vouches for the email (`email_verified: true`). */
  emailVerified: boolean;
  /** The `name` claim, if any. */
  name: string | null;
  /** Every claim of the ID token (and userinfo, when it was asked for). */
  claims: Record<string, unknown>;
}

/**
 * What the host app supplies so the library can sign users in and end their sessions.
 * Every method that changes a credential receives the library's `EntityManager`, so the change
 * and the end of the user's other sessions commit in one transaction.
 * @see README.md "Use it in your own Nest app" (the Signoff repository's README)
 */
export interface AuthUsersProvider {
  /** Finds a user by id; `null` when there is none. */
  findById(id: string): Promise<SignoffUser | null>;
  /** Finds a user by email, case-insensitively; `null` when there is none. The library passes `normalizeEmail`'s form. */
  findByEmail(email: string): Promise<SignoffUser | null>;
  /**
   * Checks a password. Called with `user = null` for an unknown email: the host should still spend
   * the time of a real check (hash against a dummy), so a response time never tells which emails exist.
   */
  verifyPassword(user: SignoffUser | null, password: string): Promise<boolean>;
  /** Stores a new password inside the library's transaction. */
  changePassword(userId: string, newPassword: string, manager: EntityManager): Promise<void>;
  /**
   * Stores a new email (in `normalizeEmail`'s form) inside the library's transaction.
   * Throws `EmailTakenError` when another user has it.
   */
  changeEmail(userId: string, newEmail: string, manager: EntityManager): Promise<void>;
  /** A page of users whose email contains `search` (case-insensitive), ordered by email. */
  search(query: { search?: string; page: number; pageSize: number }): Promise<SignoffUserPage>;
  /**
   * Single sign-on only (hosts without it cannot enable `oidc`): called on a first sign-in through
   * the provider that matched no linked user and no user by a verified email. Create the user (with
   * no password) and return it, or return `null` to refuse (the sign-in then fails with `sso_failed`).
   * The library links the returned user to `(issuer, subject)` for later sign-ins.
   */
  provisionSsoUser?(identity: SsoIdentity): Promise<SignoffUser | null>;
}

/** Thrown by `AuthUsersProvider.changeEmail` when the new email belongs to another user. */
export class EmailTakenError extends Error {
  constructor() {
    super('That email address is already in use; choose another one.');
    this.name = 'EmailTakenError';
  }
}
